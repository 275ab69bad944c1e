// A tiny user service. GET /user/42 looks up a user that does not exist and reads its profile: an uncaught
// TypeError crashes the process.
const http = require('node:http');

const users = new Map([
  [1, { id: 1, name: 'Ada', profile: { city: 'London' } }],
  [2, { id: 2, name: 'Linus', profile: { city: 'Helsinki' } }],
]);

function userSummary(id) {
  const user = users.get(id);
  return { id, name: user.name, city: user.profile.city };
}

const server = http.createServer((req, res) => {
  const match = /^\/user\/(\d+)$/.exec(req.url);
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  } else if (match) {
    // Thrown asynchronously in a timer (like a DB callback), so nothing catches it.
    setImmediate(() => {
      const body = JSON.stringify(userSummary(Number(match[1])));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
  } else {
    res.writeHead(404);
    res.end();
  }
});

const port = Number(process.env.PORT || 3000);
server.listen(port, '0.0.0.0', () => console.log(`user service listening on 0.0.0.0:${port}`));
