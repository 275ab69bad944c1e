import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BuiltinFixer } from '../../../src/core/agent/builtinFixer';
import { reply, startFakeLlm, requestText } from '../../support/fakeLlmServer';
import { editingModel, exampleRepo, git, httpGet, makeSession, snapshot, type Harness, openaiAt as openai, sessionCleanup } from './healTestKit';

const DIVIDE_FIX = { path: 'app.py', old_text: '    return total / len(people)', new_text: '    return total / len(people) if people else 0.0' };
const DIVIDE_WRONG = { path: 'app.py', old_text: 'print(f"bill: 120.00, people', new_text: 'print(f"bill: 120.00 total, people' };
const STATS_FIX = { path: 'app.py', old_text: '    return sum(o["amount"] for o in orders) / len(orders)', new_text: '    return sum(o["amount"] for o in orders) / len(orders) if orders else 0.0' };

describe('heal session (real Docker, real git, fake LLM over HTTP)', function () {
  this.timeout(240_000);
  const cleanup = sessionCleanup();
  afterEach(() => cleanup.run());
  const track = (h: Harness, dir: string) => cleanup.track(h, dir);

  it('heals a start-up KeyError with the built-in fixer: verified, applied, committed with the auto-fix message, pushed', async () => {
    const dir = exampleRepo('python-worker-keyerror');
    const bare = mkdtempSync(path.join(tmpdir(), 'autodev-bare-'));
    cleanup.add(() => rmSync(bare, { recursive: true, force: true }));
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    git(dir, 'remote', 'add', 'origin', bare);
    git(dir, 'push', '-q', '-u', 'origin', 'main');
    writeFileSync(path.join(dir, 'NOTES.md'), 'a local change the fix must not commit\n');
    const h = track(makeSession(dir, new BuiltinFixer(), { git: { commit: true, autoPush: true, branch: 'current' } }), dir);
    await h.session.deploy();
    const done = await h.waitFor('done');
    assert.equal(done.healed, true, done.reason);
    assert.equal(h.session.state, 'HEALED');
    const subject = git(dir, 'log', '-1', '--format=%s');
    assert.match(subject, /^🩹 Auto-fix: KeyError in main\.py:\d+$/);
    const body = git(dir, 'log', '-1', '--format=%b');
    assert.match(body, /Signature: KeyError/);
    assert.match(body, /Provider: builtin/);
    assert.match(body, /Attempts: 1/);
    assert.match(body, /Reproduced-By: start -> crashed with KeyError before, (exited 0|ran \d+ s without the crash) after/);
    assert.equal(git(dir, 'show', '--name-only', '--format=', 'HEAD'), 'main.py');
    assert.match(git(dir, 'status', '--porcelain'), /\?\? NOTES\.md/);
    assert.equal(execFileSync('git', ['--git-dir', bare, 'rev-parse', 'main'], { encoding: 'utf8' }).trim(), git(dir, 'rev-parse', 'HEAD'));
    const states = h.events.filter((e) => e.kind === 'state').map((e) => (e as { state: string }).state);
    for (const s of ['DEPLOYING', 'RUNNING', 'CRASHED', 'FIXING', 'VERIFYING', 'REVIEW', 'HEALED']) assert.ok(states.includes(s), `${s} in ${states}`);
    assert.ok(done.mttrMs! > 0);
    assert.ok(h.events.some((e) => e.kind === 'push' && e.ok));
  });

  it('refuses a wrong first patch and holds the second, whose prompt says why the first was refused', async () => {
    const dir = exampleRepo('python-divide');
    const fake = cleanup.serve(await startFakeLlm(editingModel((first) => (first.includes('BEGIN ATTEMPT 1 ') ? DIVIDE_FIX : DIVIDE_WRONG))));
    const h = track(makeSession(dir, openai(fake)), dir);
    await h.session.deploy();
    const done = await h.waitFor('done');
    assert.equal(done.healed, true, done.reason);
    const verifies = h.events.filter((e) => e.kind === 'verify') as { attempt: number; result: { passed: boolean } }[];
    assert.deepEqual(verifies.map((v) => [v.attempt, v.result.passed]), [[1, false], [2, true]]);
    const secondAttemptFirst = fake.requests.find((r) => requestText(r.body).includes('BEGIN ATTEMPT 1 '));
    assert.ok(secondAttemptFirst, 'the second attempt carries the refusal');
    const text = requestText(secondAttemptFirst!.body);
    assert.match(text, /ZeroDivisionError/);
    assert.match(text, /120\.00 total/, 'it shows the refused diff');
    assert.equal(readFileSync(path.join(dir, 'app.py'), 'utf8').includes('if people else 0.0'), true);
    assert.match(git(dir, 'log', '-1', '--format=%B'), /Attempts: 2/);
  });

  it('ends FAILED with every file byte-identical when the model never fixes it', async () => {
    const dir = exampleRepo('python-divide');
    const before = snapshot(dir);
    const head = git(dir, 'rev-parse', 'HEAD');
    const fake = cleanup.serve(await startFakeLlm(editingModel(() => DIVIDE_WRONG)));
    const h = track(makeSession(dir, openai(fake), { fix: { maxTurns: 6, maxTokens: 500_000, maxCostUsd: 5, dailyCostUsd: 0, timeoutMs: 20_000, maxAttempts: 2 } }), dir);
    await h.session.deploy();
    const done = await h.waitFor('done');
    assert.equal(done.healed, false);
    assert.match(done.reason, /no verified fix after 2 attempts/);
    assert.equal(h.session.state, 'FAILED');
    assert.deepEqual(snapshot(dir), before);
    assert.equal(git(dir, 'rev-parse', 'HEAD'), head);
  });

  it('probes a model that answers without tool calls and falls back to the built-in fixer, saying why', async () => {
    const dir = exampleRepo('python-divide');
    const fake = cleanup.serve(await startFakeLlm((req) => reply(req, { content: 'You should check that the list is not empty before dividing.' })));
    const h = track(makeSession(dir, openai(fake)), dir);
    await h.session.deploy();
    const done = await h.waitFor('done');
    assert.equal(done.healed, true, done.reason);
    const probe = fake.requests.find((r) => (r.body?.tools ?? []).some((t: { function?: { name?: string } }) => t.function?.name === 'probe'));
    assert.ok(probe, 'one probe request was sent');
    assert.equal(fake.requests.filter((r) => r === probe).length, 1);
    assert.ok(h.events.some((e) => e.kind === 'log' && /cannot call tools .* using the built-in fixer/.test(e.line.text)), 'the user is told why');
    assert.equal(done.fix?.provider, 'builtin');
    assert.equal(h.events.filter((e) => e.kind === 'model/request').length, fake.requests.length, 'every request, the probe too, is in the ledger');
  });

  it('stops at the cost cap with a clear message: FAILED, nothing applied', async () => {
    const dir = exampleRepo('python-divide');
    const before = snapshot(dir);
    // OpenRouter reports the cost of each request in usage.cost.
    const fake = cleanup.serve(await startFakeLlm(editingModel(() => DIVIDE_FIX, { prompt_tokens: 1000, completion_tokens: 50, total_tokens: 1050, cost: 0.4 })));
    const h = track(makeSession(dir, openai(fake), { fix: { maxTurns: 6, maxTokens: 500_000, maxCostUsd: 0.3, dailyCostUsd: 0, timeoutMs: 20_000, maxAttempts: 3 } }), dir);
    await h.session.deploy();
    const done = await h.waitFor('done');
    assert.equal(done.healed, false);
    assert.match(done.reason, /budget reached: .*cost cap/);
    assert.equal(h.session.state, 'FAILED');
    assert.equal(fake.requests.length, 1, 'no request after the cap');
    assert.deepEqual(snapshot(dir), before);
  });

  it('does not clobber a file the user edited during review: PatchConflict, then plans again', async () => {
    const dir = exampleRepo('python-divide');
    const h = track(makeSession(dir, new BuiltinFixer(), { mode: 'review' }), dir);
    await h.session.deploy();
    const proposed = await h.waitFor('patch');
    const userText = readFileSync(path.join(dir, 'app.py'), 'utf8').replace('# nobody has joined yet', '# the user was here');
    writeFileSync(path.join(dir, 'app.py'), userText);
    await h.session.accept(proposed.patch.id);
    const err = await h.waitFor('error', (e) => e.code === 'PatchConflict');
    assert.match(err.message, /app\.py/);
    assert.equal(readFileSync(path.join(dir, 'app.py'), 'utf8'), userText, 'the user\'s edit is intact');
    // It re-plans from the current files and proposes again.
    const again = await h.waitFor('patch', (e) => e.patch.id !== proposed.patch.id);
    assert.ok(again.patch.files[0].original!.includes('# the user was here'));
    assert.equal(readFileSync(path.join(dir, 'app.py'), 'utf8'), userText, 'review mode writes nothing until accepted');
  });

  it('cancels the fix in progress on a redeploy, leaving the files untouched', async () => {
    const dir = exampleRepo('python-divide');
    const before = snapshot(dir);
    const fake = cleanup.serve(await startFakeLlm(() => ({ stall: true })));
    const h = track(makeSession(dir, openai(fake)), dir);
    await h.session.deploy();
    await h.waitFor('state', (e) => e.state === 'FIXING');
    await h.session.deploy();
    const cancelled = await h.waitFor('fix', (e) => /cancelled: redeploying/.test(e.fix.reason ?? ''));
    assert.equal(cancelled.fix.status, 'failed');
    const states = h.events.filter((e) => e.kind === 'state').map((e) => (e as { state: string }).state);
    assert.deepEqual(states.slice(states.indexOf('FIXING'), states.indexOf('FIXING') + 4), ['FIXING', 'CRASHED', 'DEPLOYING', 'RUNNING']);
    assert.deepEqual(snapshot(dir), before);
  });

  it('fixes two identical crashes once and counts the repeat', async () => {
    const dir = exampleRepo('python-http-stats');
    const fake = cleanup.serve(await startFakeLlm(async (req) => {
      // Slow model: both crashes land while the first is being fixed.
      await new Promise((r) => setTimeout(r, 1500));
      return editingModel(() => STATS_FIX)(req);
    }));
    const h = track(makeSession(dir, openai(fake)), dir);
    await h.session.deploy();
    const { url } = await h.waitFor('proxy');
    assert.equal(await httpGet(`${url}/stats`), 500);
    await h.waitFor('crash');
    assert.equal(await httpGet(`${url}/stats`), 500);
    await h.waitFor('crash', (e) => e.occurrences === 2);
    const done = await h.waitFor('done');
    assert.equal(done.healed, true, done.reason);
    assert.equal(h.events.filter((e) => e.kind === 'patch').length, 1);
    assert.equal(h.events.filter((e) => e.kind === 'fix' && e.fix.status === 'committed').length, 1);
    assert.equal(fake.requests.length, 2, 'one attempt: edit + finish');
  });

  it('reproduces GET /stats before the patch and passes it after: "500 before, 200 after"', async () => {
    const dir = exampleRepo('python-http-stats');
    const fake = cleanup.serve(await startFakeLlm(editingModel(() => STATS_FIX)));
    const h = track(makeSession(dir, openai(fake)), dir);
    await h.session.deploy();
    const { url } = await h.waitFor('proxy');
    assert.equal(await httpGet(`${url}/stats`), 500);
    const done = await h.waitFor('done');
    assert.equal(done.healed, true, done.reason);
    assert.deepEqual({ ...done.reproducer, note: undefined, crashAfterMs: undefined }, { kind: 'http', description: 'GET /stats', before: '500', after: '200', reproduced: true, note: undefined, crashAfterMs: undefined });
    assert.match(git(dir, 'log', '-1', '--format=%b'), /Reproduced-By: GET \/stats -> 500 before, 200 after/);
    assert.equal(await httpGet(`${url}/stats`), 200, 'the live app is healed');
  });

  it('runs the health URL and the verify command in the scratch container', async () => {
    const dir = exampleRepo('python-http-stats');
    const fake = cleanup.serve(await startFakeLlm(editingModel(() => STATS_FIX)));
    const verify = { windowSeconds: 2, replayUnsafeMethods: false, healthUrl: 'http://localhost:8000/health', command: 'python3 -c "import app; assert app.average_order_value([]) == 0.0; print(\'unit ok\')"' };
    const h = track(makeSession(dir, openai(fake), { verify }), dir);
    await h.session.deploy();
    const { url } = await h.waitFor('proxy');
    await httpGet(`${url}/stats`);
    const v = await h.waitFor('verify');
    const health = v.result.checks.find((c) => c.name === 'health URL');
    const command = v.result.checks.find((c) => c.name === 'verify command');
    assert.deepEqual([health?.passed, command?.passed], [true, true], JSON.stringify(v.result.checks));
    assert.match(health!.detail, /GET \/health -> 200/);
    assert.match(command!.detail, /exited 0.*unit ok/);
  });

  it('refuses a patch whose verify command fails', async () => {
    const dir = exampleRepo('python-http-stats');
    const fake = cleanup.serve(await startFakeLlm(editingModel(() => STATS_FIX)));
    const verify = { windowSeconds: 2, replayUnsafeMethods: false, command: 'python3 -c "import sys; print(\'tests failed\'); sys.exit(3)"' };
    const h = track(makeSession(dir, openai(fake), { verify, fix: { maxTurns: 6, maxTokens: 500_000, maxCostUsd: 5, dailyCostUsd: 0, timeoutMs: 20_000, maxAttempts: 1 } }), dir);
    await h.session.deploy();
    const { url } = await h.waitFor('proxy');
    await httpGet(`${url}/stats`);
    const v = await h.waitFor('verify');
    const command = v.result.checks.find((c) => c.name === 'verify command');
    assert.equal(command?.passed, false);
    assert.match(command!.detail, /exited 3.*tests failed/);
    assert.equal((await h.waitFor('done')).healed, false);
  });

  it('refuses a patch that hides the error and still answers 500', async () => {
    const dir = exampleRepo('python-http-stats');
    const before = snapshot(dir);
    const hide = { path: 'app.py', old_text: '        traceback.print_exc()\n', new_text: '        pass  # errors are not logged any more\n' };
    const fake = cleanup.serve(await startFakeLlm(editingModel(() => hide)));
    const h = track(makeSession(dir, openai(fake), { fix: { maxTurns: 6, maxTokens: 500_000, maxCostUsd: 5, dailyCostUsd: 0, timeoutMs: 20_000, maxAttempts: 1 } }), dir);
    await h.session.deploy();
    const { url } = await h.waitFor('proxy');
    await httpGet(`${url}/stats`);
    const v = await h.waitFor('verify');
    assert.equal(v.result.passed, false);
    const replay = v.result.checks.find((c) => c.name === 'replay after')!;
    assert.equal(replay.passed, false);
    assert.match(replay.detail, /500/);
    const done = await h.waitFor('done');
    assert.equal(done.healed, false);
    assert.deepEqual(snapshot(dir), before);
  });

  it('does not replay a POST-triggered crash without permission and says so, falling back to the window check', async () => {
    const dir = exampleRepo('python-http-stats');
    const fix = { path: 'app.py', old_text: '    order["per_item"] = order["amount"] / len(order["items"])', new_text: '    order["per_item"] = order["amount"] / len(order["items"]) if order["items"] else 0.0' };
    const fake = cleanup.serve(await startFakeLlm(editingModel(() => fix)));
    const h = track(makeSession(dir, openai(fake)), dir);
    await h.session.deploy();
    const { url } = await h.waitFor('proxy');
    assert.equal(await httpGet(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"amount": 10, "items": []}' }), 500);
    const done = await h.waitFor('done');
    assert.equal(done.reproducer?.kind, 'none');
    assert.equal(done.reproducer?.description, 'POST /orders');
    assert.match(done.reproducer?.note ?? '', /not replayed: replaying POST requests is turned off/);
    const v = h.events.find((e) => e.kind === 'verify') as { result: { outputTail?: string[] } };
    assert.ok(!(v.result.outputTail ?? []).some((l) => l.includes('POST /orders')), 'the POST was not sent to the scratch app');
  });

  it('falls back to the window check when no request is linked to the crash, and says so', async () => {
    const app = [
      'import threading, time',
      'from http.server import ThreadingHTTPServer, SimpleHTTPRequestHandler',
      '',
      'def tick():',
      '    time.sleep(1.5)',
      '    totals = {}',
      '    print("count", totals["count"], flush=True)',
      '',
      'threading.Thread(target=tick, daemon=True).start()',
      'print("listening", flush=True)',
      'ThreadingHTTPServer(("0.0.0.0", 8000), SimpleHTTPRequestHandler).serve_forever()',
      '',
    ].join('\n');
    const dir = exampleRepo('empty', { 'app.py': app });
    const fake = cleanup.serve(await startFakeLlm(editingModel(() => ({ path: 'app.py', old_text: 'totals["count"]', new_text: 'totals.get("count", 0)' }))));
    const h = track(makeSession(dir, openai(fake), { verify: { windowSeconds: 3, replayUnsafeMethods: false } }), dir);
    await h.session.deploy();
    const done = await h.waitFor('done');
    assert.equal(done.healed, true, done.reason);
    assert.equal(done.reproducer?.kind, 'start');
    assert.match(done.reproducer?.note ?? '', /no request was linked to this crash: falling back to the window check/);
    assert.equal(done.reproducer?.reproduced, true);
  });

  it('never lets secrets from recorded headers reach the model or the events, even when the app logs them', async () => {
    // This copy logs its request headers, as debug logging often does.
    const original = readFileSync(path.join(__dirname, '../../../examples/python-http-stats/app.py'), 'utf8');
    const logsHeaders = original.replace('print(f"{self.address_string()} {fmt % args}", flush=True)', 'print(f"{self.address_string()} {fmt % args} auth={self.headers.get(\'Authorization\')} cookie={self.headers.get(\'Cookie\')}", flush=True)');
    assert.notEqual(logsHeaders, original);
    const dir = exampleRepo('python-http-stats', { 'app.py': logsHeaders });
    const fake = cleanup.serve(await startFakeLlm(editingModel(() => STATS_FIX)));
    const h = track(makeSession(dir, openai(fake)), dir);
    await h.session.deploy();
    const { url } = await h.waitFor('proxy');
    const canaries = ['Bearer canary-bearer-7f3a9c2e11', 'canary-cookie-55aa', 'canary-apikey-91bb'];
    assert.equal(await httpGet(`${url}/stats`, { headers: { authorization: canaries[0], cookie: `session=${canaries[1]}`, 'x-api-key': 'canary-apikey-91bb' } }), 500);
    const done = await h.waitFor('done');
    assert.equal(done.healed, true, done.reason);
    assert.ok(h.events.some((e) => e.kind === 'log' && /auth=(Bearer )?\[REDACTED[^\]]*\].*cookie=\[REDACTED[^\]]*\]/.test(e.line.text)), 'the app printed the header; the log shows it masked:\n' + h.events.filter((e) => e.kind === 'log').map((e) => (e as { line: { text: string } }).line.text).join('\n'));
    const x = h.session.exchanges().find((e) => e.path === '/stats')!;
    assert.equal(x.requestHeaders.authorization, '[REDACTED:header]');
    const sent = fake.requests.map((r) => r.raw).join('\n');
    const events = JSON.stringify(h.events);
    for (const c of ['canary-bearer-7f3a9c2e11', 'canary-cookie-55aa', 'canary-apikey-91bb']) {
      assert.ok(!sent.includes(c), `${c} reached the model`);
      assert.ok(!events.includes(c), `${c} reached the events/logs`);
      assert.ok(!JSON.stringify(h.session.exchanges()).includes(c), `${c} in the recording`);
    }
  });
});
