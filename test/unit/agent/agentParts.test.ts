import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BudgetTracker, estimateCostUsd } from '../../../src/core/agent/budget';
import { ChatStreamAccumulator, readSse } from '../../../src/core/agent/chatStream';
import { apiKeyFromEnv, presetFromEnv, PRESETS } from '../../../src/core/agent/presets';
import { createProvider } from '../../../src/core/agent/providers';
import { parseTextToolCalls } from '../../../src/core/agent/textToolCalls';
import { unifiedDiff } from '../../../src/core/patch/unifiedDiff';
import { isAutoDevError } from '../../../src/core/errors';

async function* bytes(...parts: string[]) {
  for (const p of parts) yield new TextEncoder().encode(p);
}

describe('agent parts', () => {
  describe('unifiedDiff', () => {
    it('writes a git-style hunk with context', () => {
      const a = 'a\nb\nc\nd\ne\nf\ng\n';
      const d = unifiedDiff('x.py', a, a.replace('d\n', 'D\n'));
      assert.equal(d, 'diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n');
    });
    it('shows a created file against /dev/null and nothing for no change', () => {
      assert.match(unifiedDiff('n.txt', null, 'x\n'), /new file mode 100644\n--- \/dev\/null\n\+\+\+ b\/n\.txt\n@@ -0,0 \+1,1 @@\n\+x\n/);
      assert.equal(unifiedDiff('n.txt', 'same', 'same'), '');
    });
    it('splits distant changes into separate hunks', () => {
      const lines = Array.from({ length: 30 }, (_, i) => `l${i}`);
      const b = [...lines];
      b[2] = 'X';
      b[25] = 'Y';
      const d = unifiedDiff('f', lines.join('\n') + '\n', b.join('\n') + '\n');
      assert.deepEqual(d.match(/^@@.*@@$/gm), ['@@ -1,6 +1,6 @@', '@@ -23,7 +23,7 @@']);
    });
  });

  describe('text tool calls', () => {
    it('reads bare, fenced, tool_calls-wrapped and array forms', () => {
      const names = (s: string) => parseTextToolCalls(s).map((c) => [c.name, JSON.parse(c.arguments)]);
      assert.deepEqual(names('{"name": "read_file", "arguments": {"path": "a.py"}}'), [['read_file', { path: 'a.py' }]]);
      assert.deepEqual(names('Sure:\n```json\n{"name":"finish","arguments":{"summary":"s"}}\n```'), [['finish', { summary: 's' }]]);
      assert.deepEqual(names('{"tool_calls":[{"function":{"name":"list_files","arguments":"{\\"path\\":\\".\\"}"}}]}'), [['list_files', { path: '.' }]]);
      assert.deepEqual(names('[{"name":"a","arguments":{}},{"name":"b","arguments":{}}]'), [['a', {}], ['b', {}]]);
    });
    it('ignores prose and JSON that is not a call', () => {
      assert.deepEqual(parseTextToolCalls('The fix is to check {b} first.'), []);
      assert.deepEqual(parseTextToolCalls('{"name": "Ada", "age": 3}'), []);
    });
    it('finds a call after a million unclosed "{" in one linear pass (the old parser rescanned from each one)', function () {
      this.timeout(30_000);
      const call = '{"name": "read_file", "arguments": {"path": "a.py"}}';
      assert.deepEqual(parseTextToolCalls('{'.repeat(1_000_000) + call).map((c) => c.name), ['read_file']);
      assert.deepEqual(parseTextToolCalls('['.repeat(500_000) + '"' + '{'.repeat(500_000)), []);
      assert.deepEqual(parseTextToolCalls(`I will { think "about it\n${call}`).map((c) => c.name), ['read_file'], 'a stray quote in prose ends with its line');
      assert.deepEqual(parseTextToolCalls(`first {b} then ${call} and }}}`).map((c) => c.name), ['read_file']);
    });
  });

  describe('SSE reader and accumulator', () => {
    it('handles events split across chunks, CRLF, comments and a last event without a blank line', async () => {
      const got: string[] = [];
      for await (const ev of readSse(bytes('data: {"a"', ':1}\r\n\r\n: keep-alive\n\ndata: x\ndata: y\n\nda', 'ta: last'))) got.push(ev.data);
      assert.deepEqual(got, ['{"a":1}', 'x\ny', 'last']);
    });
    it('separates Gemini calls without index by id and keeps finish_reason "stop"', () => {
      const acc = new ChatStreamAccumulator();
      acc.add({ choices: [{ delta: { tool_calls: [{ id: 'a', function: { name: 'read_file', arguments: '{"path":"x"}' } }] } }] });
      acc.add({ choices: [{ delta: { tool_calls: [{ id: 'b', function: { name: 'read_file', arguments: '{"path":"y"}' } }] }, finish_reason: 'stop' }] });
      const r = acc.result();
      assert.deepEqual(r.message.toolCalls?.map((c) => c.arguments), ['{"path":"x"}', '{"path":"y"}']);
      assert.equal(r.finishReason, 'stop');
    });
    it('splits calls that reuse index 0 with new ids, and accepts object arguments (Ollama)', () => {
      const acc = new ChatStreamAccumulator();
      acc.add({ choices: [{ delta: { content: '', tool_calls: [{ index: 0, id: 'a', function: { name: 'x', arguments: { p: 1 } } }] } }] });
      acc.add({ choices: [{ delta: { tool_calls: [{ index: 0, id: 'b', function: { name: 'y', arguments: '{}' } }] } }] });
      assert.deepEqual(acc.result().message.toolCalls?.map((c) => [c.id, c.name, c.arguments]), [['a', 'x', '{"p":1}'], ['b', 'y', '{}']]);
    });
    it('reads content sent as an array of parts', () => {
      const acc = new ChatStreamAccumulator();
      acc.add({ choices: [{ delta: { content: [{ type: 'thinking', text: 'hmm' }, { type: 'text', text: 'answer' }] } }] });
      assert.equal(acc.result().message.content, 'answer');
    });
    it('fails clearly on an empty stream', () => {
      assert.throws(() => new ChatStreamAccumulator().result(), /without sending anything/);
    });
  });

  describe('budget', () => {
    it('prices known models (with or without vendor prefix or date suffix) and not unknown ones', () => {
      assert.equal(estimateCostUsd('gpt-4o-mini', 1_000_000, 0), 0.15);
      assert.equal(estimateCostUsd('openai/gpt-4o-mini-2024-07-18', 0, 1_000_000), 0.6);
      assert.equal(estimateCostUsd('gpt-4o', 1_000_000, 0), 2.5);
      assert.equal(estimateCostUsd('models/gemini-2.5-flash', 1_000_000, 0), 0.3);
      assert.equal(estimateCostUsd('someone/new-model', 10, 10), null);
    });
    it('warns once at 80 %, refuses at 100 %, and reports unknown cost', () => {
      const warn: string[] = [];
      const b = new BudgetTracker({ limits: { maxCostUsd: 1, dailyCostUsd: 0, maxTokens: 1000 }, onWarn: (m) => warn.push(m) });
      assert.ok(b.record('s', { promptTokens: 100, completionTokens: 0, costUsd: 0.85 }).ok);
      assert.ok(b.record('s', { promptTokens: 10, completionTokens: 0, costUsd: 0.01 }).ok);
      assert.equal(warn.length, 1);
      assert.equal(b.record('s', { promptTokens: 10, completionTokens: 0, costUsd: 0.2 }).ok, false);
      assert.ok(b.check('other').ok, 'caps are per crash signature');
      b.record('t', { promptTokens: 900, completionTokens: 100, costUsd: null });
      assert.match(b.check('t').message ?? '', /token cap/);
      assert.equal(b.spent('t').costKnown, false);
    });
    it('starts a new daily total on a new day', () => {
      const dir = mkdtempSync(join(tmpdir(), 'autodev-budget-'));
      try {
        let now = new Date('2026-01-01T10:00:00Z');
        const file = join(dir, 'b.json');
        const b = new BudgetTracker({ limits: { maxCostUsd: 0, dailyCostUsd: 1, maxTokens: 0 }, file, now: () => now });
        b.record('s', { promptTokens: 1, completionTokens: 1, costUsd: 1.5 });
        assert.equal(b.check('x').ok, false);
        now = new Date('2026-01-02T10:00:00Z');
        assert.equal(b.check('x').ok, true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('presets and keys', () => {
    it('has the four presets with their endpoints and default models', () => {
      assert.deepEqual(
        Object.values(PRESETS).map((p) => [p.name, p.baseUrl, p.model]),
        [
          ['openrouter', 'https://openrouter.ai/api/v1', 'meta-llama/llama-3.3-70b-instruct'],
          ['gemini', 'https://generativelanguage.googleapis.com/v1beta/openai/', 'gemini-2.5-flash'],
          ['openai', 'https://api.openai.com/v1', 'gpt-4o-mini'],
          ['ollama', 'http://127.0.0.1:11434/v1', 'llama3.1'],
        ],
      );
    });
    it("takes a preset's own key or AUTODEV_API_KEY, never another vendor's", () => {
      const env = { OPENAI_API_KEY: 'o', GOOGLE_API_KEY: 'g' };
      assert.equal(apiKeyFromEnv(env, 'gemini'), 'g');
      assert.equal(apiKeyFromEnv(env, 'openrouter'), undefined);
      assert.equal(apiKeyFromEnv({ ...env, AUTODEV_API_KEY: 'a' }, 'openrouter'), 'a');
      assert.equal(apiKeyFromEnv(env, 'custom'), undefined);
      assert.equal(apiKeyFromEnv(env), 'g');
      assert.equal(presetFromEnv(env)?.name, 'gemini');
    });
    it('creates providers: builtin, a keyless Ollama, and refuses a remote endpoint without a key', () => {
      assert.equal(createProvider({ kind: 'builtin' }).id, 'builtin');
      const ollama = createProvider({ kind: 'openai', preset: 'ollama' });
      assert.deepEqual([ollama.id, ollama.baseUrl, ollama.model], ['openai', 'http://127.0.0.1:11434/v1', 'llama3.1']);
      assert.throws(() => createProvider({ kind: 'openai', preset: 'openrouter' }), (e) => isAutoDevError(e, 'Usage') && /OPENROUTER_API_KEY/.test(e.message));
      assert.throws(() => createProvider({ kind: 'openai', baseUrl: 'file:///etc', model: 'm', apiKey: 'k' }), (e) => isAutoDevError(e, 'Usage'));
    });
  });
});
