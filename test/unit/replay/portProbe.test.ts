import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { probeListening } from '../../../src/core/replay/portProbe';

const listen = (server: Server) => new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
const close = (server: Server) => new Promise((r) => server.close(r));

describe('port probe', () => {
  it('sees a listening app without sending it a single byte', async () => {
    let received = 0;
    const sockets: import('node:net').Socket[] = [];
    const server = createServer((s) => {
      sockets.push(s);
      s.on('data', (d) => (received += d.length));
    });
    const port = await listen(server);
    try {
      assert.equal(await probeListening(port, 100), true);
      assert.equal(received, 0);
    } finally {
      for (const s of sockets) s.destroy();
      await close(server);
    }
  });

  it('tells a proxy that accepts and closes at once (nothing behind it) from a listening app', async () => {
    const server = createServer((s) => s.destroy());
    const port = await listen(server);
    try {
      assert.equal(await probeListening(port, 100), false);
    } finally {
      await close(server);
    }
  });

  it('says no for a closed port', async () => {
    const server = createServer();
    const port = await listen(server);
    await close(server);
    assert.equal(await probeListening(port, 100), false);
  });
});
