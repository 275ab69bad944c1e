// A dependency-free Node service with no package.json, on port 8080 (not Node's usual 3000).
// GET / answers; GET /items/7 reads a property of a missing item: uncaught TypeError crashes the process.
const http = require('http');

const items = { 1: { name: 'lamp' } };

http
  .createServer((req, res) => {
    const m = /^\/items\/(\d+)$/.exec(req.url);
    if (m) {
      const item = items[m[1]];
      res.end(`item ${item.name.toUpperCase()}\n`);
      return;
    }
    res.end('hello from port 8080\n');
  })
  .listen(8080, () => console.log('listening on port 8080'));
