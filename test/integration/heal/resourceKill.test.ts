import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { createProvider } from '../../../src/core/agent/providers';
import { DEFAULT_RUNTIME_SETTINGS } from '../../../src/core/runtime/containerRuntime';
import { startFakeLlm, type FakeLlm } from '../../support/fakeLlmServer';
import { editingModel, exampleRepo, makeSession, PY_IMAGE, type Harness } from './healTestKit';

// Touches every page (b'\x01' * n), unlike bytearray(n), whose zero pages the kernel may never back.
const HUNGRY_APP = [
  'import time',
  'chunks = []',
  'for i in range(8):',
  "    chunks.append(b'\\x01' * (10 * 1024 * 1024))",
  '    time.sleep(0.05)',
  'print("allocated", len(chunks) * 10, "MB", flush=True)',
  'while True:',
  '    time.sleep(1)',
  '',
].join('\n');

describe('resource kills (real Docker)', function () {
  this.timeout(180_000);
  let h: Harness | null = null;
  let fake: FakeLlm | null = null;
  let dir = '';
  afterEach(async () => {
    await h?.dispose();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
    h = null;
    fake = null;
  });

  it('reports an OOM kill as a resource kill, never asks the model, and raising the limit restarts it healthy', async () => {
    dir = exampleRepo('empty', { 'app.py': HUNGRY_APP });
    fake = await startFakeLlm(editingModel(() => null));
    const provider = createProvider({ kind: 'openai', preset: 'custom', baseUrl: fake.url, model: 'fake-model', apiKey: 'k', timeoutMs: 10_000 });
    h = makeSession(dir, provider, { runtime: { ...DEFAULT_RUNTIME_SETTINGS, imageOverride: PY_IMAGE, memoryMb: 48 } });
    await h.session.deploy();
    const crash = await h.waitFor('crash');
    assert.equal(crash.crash.type, 'OOMKilled');
    assert.deepEqual(crash.resourceKill, { memoryLimitMb: 48 });
    assert.equal(h.session.state, 'CRASHED');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(fake.requests.length, 0, 'a memory kill is not a code bug: nothing was sent');
    assert.ok(!h.events.some((e) => e.kind === 'state' && e.state === 'FIXING'));

    await h.session.raiseMemoryLimit();
    assert.equal(h.session.state, 'RUNNING');
    await h.waitFor('log', (e) => e.line.text.includes('allocated 80 MB'), 30_000);
    const crashesBefore = h.events.filter((e) => e.kind === 'crash').length;
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(h.events.filter((e) => e.kind === 'crash').length, crashesBefore, 'no new crash at 96 MiB');
    assert.equal(h.session.state, 'RUNNING');
  });

  it('asks the model about a memory kill only when told to (fixNow)', async () => {
    dir = exampleRepo('empty', { 'app.py': HUNGRY_APP });
    fake = await startFakeLlm(editingModel(() => null));
    const provider = createProvider({ kind: 'openai', preset: 'custom', baseUrl: fake.url, model: 'fake-model', apiKey: 'k', timeoutMs: 10_000 });
    h = makeSession(dir, provider, {
      runtime: { ...DEFAULT_RUNTIME_SETTINGS, imageOverride: PY_IMAGE, memoryMb: 48 },
      fix: { maxTurns: 4, maxTokens: 100_000, maxCostUsd: 5, dailyCostUsd: 0, timeoutMs: 10_000, maxAttempts: 1 },
    });
    await h.session.deploy();
    await h.waitFor('crash', (e) => !!e.resourceKill);
    assert.equal(fake.requests.length, 0);
    await h.session.fixNow();
    assert.ok(fake.requests.length > 0, 'the model was asked');
    assert.match(JSON.stringify(fake.requests[0].body), /OOMKilled/);
    const done = await h.waitFor('done');
    assert.equal(done.healed, false);
  });
});
