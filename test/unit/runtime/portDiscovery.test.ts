import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { chooseAppPort, parseProcNetTcp, portFromLine } from '../../../src/core/runtime/portDiscovery';

const FIXTURE = path.join(__dirname, '../../fixtures/runtime/proc-net-tcp.txt');

describe('port discovery', () => {
  it('reads listening sockets from a real /proc/net/tcp{,6}, ignoring established connections', () => {
    assert.deepEqual(parseProcNetTcp(readFileSync(FIXTURE, 'utf8')), [
      { port: 5000, loopbackOnly: true },
      { port: 8080, loopbackOnly: false },
      { port: 9090, loopbackOnly: false },
    ]);
  });

  it('prefers the expected port, else the lowest reachable one, and reports a loopback-only app', () => {
    const sockets = parseProcNetTcp(readFileSync(FIXTURE, 'utf8'));
    assert.deepEqual(chooseAppPort(sockets, [9090]), { port: 9090 });
    assert.deepEqual(chooseAppPort(sockets, [8000]), { port: 8080 });
    assert.deepEqual(chooseAppPort([{ port: 5000, loopbackOnly: true }], [8000]), { loopbackOnly: 5000 });
    assert.deepEqual(chooseAppPort([], [8000]), {});
  });

  it('skips garbage and headers', () => {
    assert.deepEqual(parseProcNetTcp('sl local\n  x: y z\n\u0000\n   0: 00000000:ZZZZ 00000000:0000 0A\n'), []);
  });

  // Lines printed by real servers (Flask/Werkzeug, http.server, Express examples, Go net/http logs, uvicorn).
  const lines: [string, number | undefined][] = [
    [' * Running on http://127.0.0.1:5000', 5000],
    ['Serving HTTP on 0.0.0.0 port 8000 (http://0.0.0.0:8000/) ...', 8000],
    ['Example app listening on port 3000', 3000],
    ['2024/01/01 12:00:00 Listening on :8080', 8080],
    ['INFO:     Uvicorn running on http://0.0.0.0:8001 (Press CTRL+C to quit)', 8001],
    ['\x1b[32mServer started at http://localhost:4321\x1b[0m', 4321],
    ['processed 8080 records', undefined],
    ['Traceback (most recent call last):', undefined],
  ];
  for (const [line, port] of lines) {
    it(`reads ${port ?? 'no port'} from "${line.replace(/\x1b\[[0-9;]*m/g, '')}"`, () => assert.equal(portFromLine(line), port));
  }
});
