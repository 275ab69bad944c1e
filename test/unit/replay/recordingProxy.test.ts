import { strict as assert } from 'node:assert';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RecordingProxy } from '../../../src/core/replay/recordingProxy';
import { planReproducer, replayRequest, reproducedByLine } from '../../../src/core/replay/reproducer';
import { createSecretMasker, maskQuery } from '../../../src/core/privacy/secretMasker';

function startApp(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

function send(url: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
    });
    r.on('error', reject);
    r.end(opts.body);
  });
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('recording proxy (real HTTP)', () => {
  let app: { server: Server; url: string };
  let proxy: RecordingProxy;
  let received: { bytes: number } = { bytes: 0 };

  beforeEach(async () => {
    received = { bytes: 0 };
    app = await startApp((req, res) => {
      req.on('data', (c: Buffer) => (received.bytes += c.length));
      req.on('end', () => {
        if (req.url?.startsWith('/stats')) {
          res.writeHead(500, { 'content-type': 'text/plain', 'set-cookie': 'sid=topsecret' });
          res.end('Internal Server Error');
        } else if (req.url === '/die') {
          req.socket.destroy(); // like a process that crashed mid-request
        } else {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('ok ' + req.method);
        }
      });
    });
    proxy = new RecordingProxy({ target: () => app.url, capacity: 5, bodyLimit: 16, masker: createSecretMasker({ secrets: [] }) });
    await proxy.listen();
  });
  afterEach(async () => {
    for (const s of upgraded.splice(0)) s.destroy();
    await proxy.dispose();
    app.server.closeAllConnections();
    await new Promise((r) => app.server.close(r));
  });

  it('passes requests through and records method, path, query, status, bodies and timing with secrets masked', async () => {
    const r = await send(`${proxy.url}/stats?page=2&api_key=abc123`, {
      headers: { authorization: 'Bearer sk-live-1234567890abcdef', cookie: 'sid=s3cr3t', 'x-request-id': 'r1' },
    });
    assert.equal(r.status, 500);
    await wait(20);
    const [x] = proxy.exchanges();
    assert.equal(x.method, 'GET');
    assert.equal(x.path, '/stats');
    assert.equal(x.query, 'page=2&api_key=[REDACTED:header]');
    assert.equal(x.status, 500);
    assert.equal(x.requestHeaders.authorization, '[REDACTED:header]');
    assert.equal(x.requestHeaders.cookie, '[REDACTED:header]');
    assert.equal(x.requestHeaders['x-request-id'], 'r1');
    assert.equal(x.responseHeaders['set-cookie'], '[REDACTED:header]');
    assert.equal(x.responseBody, 'Internal Server E'.slice(0, 16));
    assert.equal(x.responseTruncated, true);
    assert.ok(x.durationMs !== null && x.durationMs >= 0);
    const json = JSON.stringify(proxy.exchanges());
    for (const secret of ['sk-live-1234567890abcdef', 's3cr3t', 'topsecret', 'abc123']) assert.ok(!json.includes(secret), secret);
  });

  it('keeps the unmasked request only for replay, and replays it against another base URL', async () => {
    await send(`${proxy.url}/stats?page=2`, { headers: { authorization: 'Bearer tok-1234567890' } });
    await wait(20);
    const [x] = proxy.exchanges();
    const req = proxy.replayable(x.id)!;
    assert.equal(req.headers.authorization, 'Bearer tok-1234567890');
    const res = await replayRequest(app.url, req, 5000);
    assert.equal(res.status, 500);
  });

  it('keeps only the last N exchanges under a flood', async () => {
    for (let i = 0; i < 40; i++) await send(`${proxy.url}/ok/${i}`);
    const list = proxy.exchanges();
    assert.equal(list.length, 5);
    assert.equal(list[4].path, '/ok/39');
  });

  it('keeps the latest successful exchanges per route for differential replay, beyond the ring, never failures', async () => {
    for (let i = 0; i < 12; i++) await send(`${proxy.url}/ok/${i}`);
    await send(`${proxy.url}/items`, { method: 'POST', body: '{"a":1}' });
    await send(`${proxy.url}/stats`);
    for (let i = 0; i < 6; i++) await send(`${proxy.url}/other/${i}`);
    const samples = proxy.samples();
    assert.deepEqual(samples.map((s) => s.route), ['GET /ok/:id', 'GET /ok/:id', 'GET /ok/:id', 'POST /items', 'GET /other/:id', 'GET /other/:id', 'GET /other/:id']);
    assert.deepEqual(samples.filter((s) => s.route === 'GET /ok/:id').map((s) => s.exchange.path), ['/ok/9', '/ok/10', '/ok/11']);
    assert.equal(samples.find((s) => s.route === 'POST /items')!.request.body!.toString(), '{"a":1}', 'the unmasked body, for replay');
    assert.ok(!proxy.exchanges().some((x) => x.path === '/items'), 'the ring (capacity 5) has moved on; the sample stayed');
  });

  it('streams a 100 MB upload through and records only the first bytes', async function () {
    this.timeout(60000);
    const size = 100 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 97);
    const res = await new Promise<number>((resolve, reject) => {
      const r = request(`${proxy.url}/upload`, { method: 'POST', agent: false, headers: { 'content-length': String(size) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      r.on('error', reject);
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          sent += chunk.length;
          if (!r.write(chunk)) return void r.once('drain', pump);
        }
        r.end();
      };
      pump();
    });
    assert.equal(res, 200);
    assert.equal(received.bytes, size, 'the app received every byte');
    await wait(20);
    const x = proxy.exchanges().at(-1)!;
    assert.equal(x.requestBytes, size);
    assert.equal(x.requestBody.length, 16);
    assert.equal(x.requestTruncated, true);
    assert.equal(proxy.replayable(x.id)!.body, null, 'too large to keep for replay');
  });

  it('records an upstream that drops the connection as an error and answers 502', async () => {
    const r = await send(`${proxy.url}/die`);
    assert.equal(r.status, 502);
    const x = proxy.exchanges().at(-1)!;
    assert.ok(x.error, 'error recorded');
  });

  it('teaches the masker the raw credential values it saw (header tokens, Basic passwords, cookie values, secret query values)', async () => {
    const masker = createSecretMasker({ secrets: [] });
    const p = new RecordingProxy({ target: () => app.url, masker });
    await p.listen();
    try {
      await send(`${p.url}/ok?token=qtoken-123456&page=2`, { headers: { authorization: 'Bearer abcdef123456', cookie: 'sid=cookie-value-1; theme=dark' } });
      await send(`${p.url}/ok`, { headers: { authorization: `Basic ${Buffer.from('bob:basic-pass-77').toString('base64')}` } });
      for (const v of ['abcdef123456', 'cookie-value-1', 'qtoken-123456', 'basic-pass-77']) assert.ok(!masker.maskText(`app printed ${v} here`).includes(v), v);
      assert.equal(masker.maskText('theme dark page 2'), 'theme dark page 2', 'short or non-secret values are not learned');
    } finally {
      await p.dispose();
    }
  });

  it('answers 502 when the app is not running', async () => {
    const p = new RecordingProxy({ target: () => null, masker: createSecretMasker({ secrets: [] }) });
    await p.listen();
    try {
      const r = await send(`${p.url}/`);
      assert.equal(r.status, 502);
      assert.match(r.body, /not running/);
    } finally {
      await p.dispose();
    }
  });

  it('links a crash to the exchange answered 5xx when its trace appeared, not to a later healthy one', async () => {
    await send(`${proxy.url}/ok/1`);
    const traceAt = Date.now();
    await send(`${proxy.url}/stats`);
    await send(`${proxy.url}/ok/2`);
    const linked = proxy.exchangeForCrash(traceAt, traceAt + 5);
    assert.equal(linked?.path, '/stats');
  });

  it('links a trace that reached us late (a busy machine) to the failed exchange of the run that wrote it', async () => {
    const runStartedAt = Date.now();
    await send(`${proxy.url}/stats`);
    await send(`${proxy.url}/ok/1`);
    const lateTraceAt = Date.now() + 4000;
    assert.equal(proxy.exchangeForCrash(lateTraceAt, lateTraceAt + 5), null, 'outside the slack without the run');
    assert.equal(proxy.exchangeForCrash(lateTraceAt, lateTraceAt + 5, undefined, runStartedAt)?.path, '/stats');
    assert.equal(proxy.exchangeForCrash(lateTraceAt, lateTraceAt + 5, undefined, Date.now() + 1), null, 'never an exchange of an earlier run');
  });

  it('links nothing when no request was around the crash', async () => {
    await send(`${proxy.url}/ok/1`);
    await wait(100);
    assert.equal(proxy.exchangeForCrash(Date.now() + 5000), null);
  });

  const upgraded: import('node:stream').Duplex[] = [];
  it('passes WebSocket upgrades through untouched', async () => {
    // A raw upgrade handshake: the app answers 101 and echoes bytes.
    app.server.on('upgrade', (_req, socket) => {
      upgraded.push(socket);
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      socket.on('data', (d: Buffer) => socket.write(d));
    });
    const echoed = await new Promise<string>((resolve, reject) => {
      const r = request(`${proxy.url}/ws`, { headers: { Connection: 'Upgrade', Upgrade: 'websocket' }, agent: false });
      r.on('upgrade', (_res, socket) => {
        socket.write('ping');
        socket.once('data', (d: Buffer) => {
          socket.destroy();
          resolve(d.toString());
        });
      });
      r.on('error', reject);
      r.end();
    });
    assert.equal(echoed, 'ping');
    assert.equal(proxy.exchanges().at(-1)?.upgrade, true);
  });
});

describe('reproducer plan', () => {
  const crash = { language: 'python', type: 'ZeroDivisionError', message: 'division by zero', frames: [], userFrame: null, signature: 's', lines: [1, 2] } as never;
  const image = { tag: 't', kind: 'python' as const, workdir: '/app', appDir: '', mountSource: true, builtFrom: '/w', ports: [8000], cmd: ['python', 'app.py'] };
  const exchange = (method: string) => ({ id: 1, method, path: '/orders', query: '' }) as never;

  it('replays a linked GET', () => {
    const p = planReproducer({ crash, image, exchange: exchange('GET'), request: { method: 'GET', url: '/orders', headers: {}, body: Buffer.alloc(0) }, containerPort: 8000, replayUnsafeMethods: false });
    assert.equal(p.kind, 'http');
    assert.equal(p.description, 'GET /orders');
  });

  it('does not replay a POST when unsafe replay is turned off, and says the fix stays unverified', () => {
    const p = planReproducer({ crash, image, exchange: exchange('POST'), request: { method: 'POST', url: '/orders', headers: {}, body: Buffer.from('{}') }, containerPort: 8000, replayUnsafeMethods: false });
    assert.equal(p.kind, 'none');
    assert.match(p.note!, /replaying POST requests is turned off \(autodev\.verify\.replayUnsafeMethods\).*unverified/);
  });

  it('replays a POST by default (unsafe replay is on: the scratch copy is thrown away)', () => {
    const p = planReproducer({ crash, image, exchange: exchange('POST'), request: { method: 'POST', url: '/orders', headers: {}, body: Buffer.from('{}') }, containerPort: 8000, replayUnsafeMethods: true });
    assert.equal(p.kind, 'http');
  });

  it('falls back to the start for a service crash with no linked request, and says so', () => {
    const p = planReproducer({ crash, image, exchange: null, request: null, containerPort: null, replayUnsafeMethods: false });
    assert.equal(p.kind, 'start');
    assert.match(p.note!, /no request was linked/);
  });

  it('uses the same command for an app without ports', () => {
    const p = planReproducer({ crash, image: { ...image, ports: [] }, exchange: null, request: null, containerPort: null, replayUnsafeMethods: false });
    assert.deepEqual([p.kind, p.description], ['command', 'python app.py']);
  });

  it('formats the evidence line', () => {
    assert.equal(reproducedByLine({ kind: 'http', description: 'GET /stats', before: '500', after: '200', reproduced: true }), 'Reproduced-By: GET /stats -> 500 before, 200 after');
  });

  it('masks credential-like query parameters only', () => {
    assert.equal(maskQuery('a=1&token=x&password=y&q=z'), 'a=1&token=[REDACTED:header]&password=[REDACTED:header]&q=z');
  });
});
