// A dependency-free to-do service (Node http). Paging has a typo in the name of the list it counts, so
// GET /todos?limit=N throws an uncaught TypeError and the process dies. GET /todos without a limit works.
const http = require('node:http');

const db = {
  todos: [
    { id: 1, title: 'buy milk', done: true },
    { id: 2, title: 'write the tests', done: false },
    { id: 3, title: 'ship it', done: false },
  ],
};

function page(limit) {
  if (!limit) return { todos: db.todos, total: db.todos.length };
  return { todos: db.todos.slice(0, limit), total: db.todo.length };
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  console.log(req.method, req.url);
  if (url.pathname === '/todos') {
    const body = JSON.stringify(page(Number(url.searchParams.get('limit')) || 0));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  } else {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not found"}');
  }
});

const port = Number(process.env.PORT || 3000);
server.listen(port, '0.0.0.0', () => console.log(`todo-api listening on 0.0.0.0:${port}`));
