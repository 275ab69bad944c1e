import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAiCompatibleProvider } from '../../../src/core/agent/openaiProvider';
import { chooseAgentProvider, probeToolCalling } from '../../../src/core/agent/toolCallingProbe';
import { JsonFileCapabilityCache, MemoryCapabilityCache } from '../../../src/core/agent/capabilityCache';
import type { LedgerRecord } from '../../../src/core/agent/ledger';
import { reply, startFakeLlm } from '../../support/fakeLlmServer';
import type { FakeHandler, FakeLlm } from '../../support/fakeLlmServer';

describe('tool-calling probe (fake server)', function () {
  this.timeout(30_000);
  let fake: FakeLlm | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const provider = async (h: FakeHandler, model = 'm1') => {
    fake = await startFakeLlm(h);
    return new OpenAiCompatibleProvider({ baseUrl: fake.url, model, apiKey: 'k', timeoutMs: 5000, maxRetries: 0 });
  };

  it('offers only the probe tool, records the request in the ledger, and caches "tools" per (base URL, model)', async () => {
    const p = await provider((req) => reply(req, { toolCalls: [{ name: 'probe', arguments: { ok: true } }] }));
    const ledger: LedgerRecord[] = [];
    const cache = new MemoryCapabilityCache();
    assert.equal(await probeToolCalling(p, { cache, onRequest: (r) => ledger.push(r) }), 'tools');
    assert.deepEqual(fake!.requests[0].body.tools.map((t: any) => t.function.name), ['probe']);
    assert.equal(ledger.length, 1);
    assert.equal(ledger[0].baseUrl, fake!.url);
    assert.deepEqual(ledger[0].files, []);
    assert.equal(await probeToolCalling(p, { cache }), 'tools');
    assert.equal(fake!.requests.length, 1, 'the second probe came from the cache');
  });

  it('detects a model that writes the call as JSON text', async () => {
    const p = await provider((req) => reply(req, { content: '```json\n{"name": "probe", "arguments": {"ok": true}}\n```' }));
    const choice = await chooseAgentProvider(p, {});
    assert.deepEqual([choice.capability, choice.toolMode, choice.provider.id], ['text-json', 'text-json', 'openai']);
  });

  it('asks again without tools when the server rejects them (Ollama "does not support tools")', async () => {
    const p = await provider((req) =>
      req.body.tools ? { status: 400, body: { error: { message: 'registry.ollama.ai/library/gemma:2b does not support tools' } } } : reply(req, { content: '{"name":"probe","arguments":{"ok":true}}' }),
    );
    assert.equal(await probeToolCalling(p), 'text-json');
    assert.equal(fake!.requests.length, 2);
  });

  it('falls back to the built-in fixer with a reason for a model that can do neither, and keeps it in a JSON file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autodev-probe-'));
    try {
      const p = await provider((req) => reply(req, { content: 'Hello! How can I help?' }), 'chatty');
      const cache = new JsonFileCapabilityCache(join(dir, 'caps.json'));
      const choice = await chooseAgentProvider(p, { cache });
      assert.equal(choice.provider.id, 'builtin');
      assert.match(choice.fallbackReason ?? '', /chatty .* cannot call tools/);
      const saved = JSON.parse(readFileSync(join(dir, 'caps.json'), 'utf8'));
      assert.equal(saved[`${fake!.url}|chatty`].capability, 'none');
      assert.equal(new JsonFileCapabilityCache(join(dir, 'caps.json')).get(`${fake!.url}|chatty`), 'none');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
