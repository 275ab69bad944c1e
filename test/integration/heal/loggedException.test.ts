// A service that does not die: its framework catches the error, logs it as one JSON record (pino's format, with
// the stack in err.stack) and answers 500. That logged exception must be an incident like an exit crash: crash
// event with the record's level and message, the request replayed before and after the patch, commit.
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { createProvider } from '../../../src/core/agent/providers';
import { DEFAULT_RUNTIME_SETTINGS } from '../../../src/core/runtime/containerRuntime';
import { startFakeLlm, type FakeLlm } from '../../support/fakeLlmServer';
import { editingModel, exampleRepo, git, httpGet, makeSession } from './healTestKit';

const SERVER = `// A cart service logging like pino: one JSON record per line; errors carry err.stack.
const http = require('node:http');

const log = (level, msg, extra = {}) => console.log(JSON.stringify({ level, time: Date.now(), pid: process.pid, ...extra, msg }));
const carts = new Map([['1', { items: [{ price: 3 }, { price: 4 }] }]]);

function cartTotal(id) {
  return carts.get(id).items.reduce((sum, item) => sum + item.price, 0);
}

http
  .createServer((req, res) => {
    const m = /^\\/carts\\/(\\w+)$/.exec(req.url);
    try {
      if (req.url === '/health') return res.end('ok');
      if (!m) return res.writeHead(404).end();
      res.end(JSON.stringify({ total: cartTotal(m[1]) }));
      log(30, 'request completed', { url: req.url, statusCode: 200 });
    } catch (err) {
      log(50, err.message, { url: req.url, err: { type: err.name, message: err.message, stack: err.stack } });
      res.writeHead(500).end('{"error":"internal"}');
    }
  })
  .listen(Number(process.env.PORT || 3000), '0.0.0.0', () => log(30, 'cart service listening'));
`;
const FIX = { path: 'server.js', old_text: '  return carts.get(id).items', new_text: '  return (carts.get(id)?.items ?? [])' };

describe('a logged exception in a running service (real Docker, fake LLM over HTTP)', function () {
  this.timeout(240_000);
  let fake: FakeLlm | null = null;
  let cleanup: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await cleanup?.();
    await fake?.close();
    fake = null;
  });

  it('turns a JSON-logged TypeError (the app keeps running) into an incident, reproduces GET /carts/9 and heals it', async () => {
    const dir = exampleRepo('empty', { 'server.js': SERVER, 'package.json': JSON.stringify({ name: 'carts', private: true, scripts: { start: 'node server.js' } }) });
    fake = await startFakeLlm(editingModel(() => FIX));
    const provider = createProvider({ kind: 'openai', preset: 'custom', baseUrl: fake.url, model: 'fake-model', apiKey: 'sk-test-key-000000000000000000', timeoutMs: 20_000 });
    const h = makeSession(dir, provider, { runtime: { ...DEFAULT_RUNTIME_SETTINGS, imageOverride: 'autodev-offline/node:20', memoryMb: 256 } });
    cleanup = async () => {
      await h.dispose();
      rmSync(dir, { recursive: true, force: true });
    };
    await h.session.deploy();
    const { url } = await h.waitFor('proxy');
    assert.equal(await httpGet(`${url}/carts/9`), 500);
    const crash = await h.waitFor('crash');
    assert.equal(crash.crash.type, 'TypeError');
    assert.deepEqual([crash.crash.userFrame?.workspaceFile, crash.crash.userFrame?.line], ['server.js', 8]);
    assert.deepEqual(crash.crash.record, { level: 'error', message: "Cannot read properties of undefined (reading 'items')" });
    const done = await h.waitFor('done');
    assert.equal(done.healed, true, done.reason);
    assert.equal(done.reproducer?.description, 'GET /carts/9');
    assert.equal(done.reproducer?.before, '500');
    assert.equal(git(dir, 'show', '--name-only', '--format=', 'HEAD'), 'server.js');
    assert.equal(await httpGet(`${url}/carts/9`), 200, 'the live service is healed');
  });
});
