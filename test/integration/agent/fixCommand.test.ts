import * as assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli/main';
import { reply, startFakeLlm } from '../../support/fakeLlmServer';
import type { FakeLlm } from '../../support/fakeLlmServer';

const ROOT = join(__dirname, '../../..');

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await main(args, { stdout, stderr, stdin: new PassThrough(), env, cwd: ROOT, signal: new AbortController().signal });
  return { code, out, err };
}

describe('autodev fix', function () {
  this.timeout(60_000);
  let tmp: string;
  let fake: FakeLlm | undefined;
  beforeEach(() => (tmp = mkdtempSync(join(tmpdir(), 'autodev-fixcli-'))));
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
    rmSync(tmp, { recursive: true, force: true });
  });
  const example = (name: string) => {
    const dir = join(tmp, name);
    cpSync(join(ROOT, 'examples', name), dir, { recursive: true });
    return dir;
  };
  const trace = (name: string) => join(ROOT, 'test/fixtures/agent/traces', `${name}.txt`);
  const env = () => ({ HOME: tmp });

  it('prints the built-in fix of python-divide as a diff, exits 0 and writes nothing', async () => {
    const dir = example('python-divide');
    const before = readFileSync(join(dir, 'app.py'), 'utf8');
    const r = await cli(['fix', dir, '--trace', trace('python-divide')], env());
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^\+    return \(total \/ len\(people\) if len\(people\) else 0\)$/m);
    assert.match(r.err, /\[crash\] ZeroDivisionError: float division by zero at app\.py:6/);
    assert.equal(readFileSync(join(dir, 'app.py'), 'utf8'), before);
  });

  it('exits 1 with the reason when there is no built-in fix', async () => {
    const dir = join(tmp, 'ws');
    cpSync(join(ROOT, 'examples', 'python-divide'), dir, { recursive: true });
    writeFileSync(join(tmp, 'log.txt'), 'Traceback (most recent call last):\n  File "/app/app.py", line 6, in share\n    return total / len(people)\nValueError: nope\n');
    const r = await cli(['fix', dir, '--trace', join(tmp, 'log.txt')], env());
    assert.equal(r.code, 1);
    assert.match(r.err, /no built-in fix for ValueError; configure a model/);
  });

  it('exits 1 when the log holds no crash', async () => {
    writeFileSync(join(tmp, 'clean.txt'), 'all good\n');
    const r = await cli(['fix', tmp, '--trace', join(tmp, 'clean.txt')], env());
    assert.equal(r.code, 1);
    assert.match(r.err, /no crash found/);
  });

  it('exits 2 on usage errors (no --trace, unknown provider, missing key)', async () => {
    assert.equal((await cli(['fix', tmp], env())).code, 2);
    writeFileSync(join(tmp, 'clean.txt'), 'x\n');
    assert.equal((await cli(['fix', tmp, '--trace', join(tmp, 'clean.txt'), '--provider', 'magic'], env())).code, 2);
    const noKey = await cli(['fix', tmp, '--trace', trace('python-divide'), '--provider', 'openai', '--preset', 'openrouter'], env());
    assert.equal(noKey.code, 2);
    assert.match(noKey.err, /OPENROUTER_API_KEY/);
  });

  it('drives an OpenAI-compatible model with the key from the environment, probing tool calling first', async () => {
    const dir = example('python-worker-keyerror');
    fake = await startFakeLlm((req) => {
      const tools = (req.body.tools ?? []).map((t: any) => t.function.name);
      if (tools.includes('probe')) return reply(req, { toolCalls: [{ name: 'probe', arguments: { ok: true } }] });
      const n = req.body.messages.filter((m: any) => m.role === 'assistant').length;
      if (n === 0) return reply(req, { toolCalls: [{ name: 'edit_file', arguments: { path: 'main.py', old_text: '    size = job["payload"]', new_text: '    size = job.get("payload") or {"width": 0, "height": 0}' } }] });
      return reply(req, { toolCalls: [{ name: 'finish', arguments: { summary: 'default payload' } }] });
    });
    const r = await cli(['fix', dir, '--trace', trace('python-worker-keyerror'), '--provider', 'openai', '--base-url', fake.url, '--model', 'gpt-4o-mini'], { ...env(), AUTODEV_API_KEY: 'sk-autodev-test-123456' });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\+    size = job\.get\("payload"\)/);
    assert.equal(fake.requests[0].headers.authorization, 'Bearer sk-autodev-test-123456');
    assert.match(r.err, /tool-calling probe/);
    assert.match(r.err, /\[agent\] sent to gpt-4o-mini: main\.py:1-27; 3 log lines/);
    // The probe result is cached: a second run does not probe again.
    const count = fake.requests.length;
    await cli(['fix', dir, '--trace', trace('python-worker-keyerror'), '--provider', 'openai', '--base-url', fake.url, '--model', 'gpt-4o-mini'], { ...env(), AUTODEV_API_KEY: 'sk-autodev-test-123456' });
    assert.equal(fake.requests.slice(count).filter((q) => (q.body.tools ?? []).some((t: any) => t.function.name === 'probe')).length, 0);
  });

  it('falls back to the built-in fixer, and says why, when the model can call tools neither natively nor as JSON', async () => {
    const dir = example('python-divide');
    fake = await startFakeLlm((req) => reply(req, { content: 'I am a helpful assistant.' }));
    const r = await cli(['fix', dir, '--trace', trace('python-divide'), '--provider', 'openai', '--base-url', fake.url, '--model', 'tiny-llm'], { ...env(), AUTODEV_API_KEY: 'k-123456' });
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /tiny-llm .* cannot call tools .*using the built-in fixer/);
    assert.equal(fake.requests.length, 1, 'only the probe went to the model');
    assert.match(r.out, /if len\(people\) else 0/);
  });

  it('keeps a vendor key with its vendor: --preset openrouter pointed at another base URL never receives OPENROUTER_API_KEY', async () => {
    const dir = example('python-worker-keyerror');
    fake = await startFakeLlm((req) =>
      (req.body.tools ?? []).some((t: any) => t.function.name === 'probe')
        ? reply(req, { toolCalls: [{ name: 'probe', arguments: { ok: true } }] })
        : reply(req, { toolCalls: [{ name: 'finish', arguments: { summary: 'nothing' } }] }),
    );
    const vendorKey = 'sk-or-v1-canaryvendorkey0000000000000000';
    const r = await cli(['fix', dir, '--trace', trace('python-worker-keyerror'), '--preset', 'openrouter', '--base-url', fake.url, '--model', 'm'], { ...env(), OPENROUTER_API_KEY: vendorKey });
    assert.ok(fake.requests.length > 0, r.err);
    for (const q of fake.requests) {
      assert.ok(!JSON.stringify(q.headers).includes(vendorKey) && !q.raw.includes(vendorKey), 'the OpenRouter key never reaches another origin');
      assert.equal(q.headers.authorization, 'Bearer no-key');
    }
    assert.ok(!(r.out + r.err).includes(vendorKey));
    // The generic key is the one meant for "any base URL I name".
    const before = fake.requests.length;
    await cli(['fix', dir, '--trace', trace('python-worker-keyerror'), '--preset', 'openrouter', '--base-url', fake.url, '--model', 'm'], { ...env(), OPENROUTER_API_KEY: vendorKey, AUTODEV_API_KEY: 'generic-key-123456' });
    assert.equal(fake.requests[before].headers.authorization, 'Bearer generic-key-123456');
  });
});
