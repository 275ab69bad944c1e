/**
 * Honest heals (issue 17), with real Docker, real HTTP through the recording proxy, real git, the built-in fixer and a
 * scripted model over HTTP: a fix counts only when the crash was reproduced, then passed, and what worked before still
 * answers the same.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { BuiltinFixer } from '../../../src/core/agent/builtinFixer';
import { DEFAULT_RUNTIME_SETTINGS } from '../../../src/core/runtime/containerRuntime';
import { requestText, startFakeLlm, type FakeLlm } from '../../support/fakeLlmServer';
import type { LlmProvider } from '../../../src/core/agent/llmProvider';
import { editingModel, exampleRepo, git, httpGet, makeSession, openaiAt, PY_IMAGE, ROOT, runCli, sessionCleanup, snapshot, type Edit } from './healTestKit';

const NODE_IMAGE = 'autodev-offline/node:20';
const VERIFY = { windowSeconds: 2, replayUnsafeMethods: true };
const json = { 'content-type': 'application/json' };

/** A to-do that is done, and the listing of done to-dos that crashes on the typo'd key. */
const STATUS_LINE = '    return [t for t in todos if t["complete"] == (status == "done")]';
/** Hiding patches a model might write for it, and the real fix. */
const RENAME_THE_DATA: Edit = { path: 'app.py', old_text: '{"id": 1, "title": "buy milk", "completed": True},\n    {"id": 2, "title": "write the tests", "completed": False},', new_text: '{"id": 1, "title": "buy milk", "complete": True},\n    {"id": 2, "title": "write the tests", "complete": False},' };
const EMPTY_DEFAULT: Edit = { path: 'app.py', old_text: STATUS_LINE, new_text: '    return [t for t in todos if t.get("complete") == (status == "done")]' };
const REAL_FIX: Edit = { path: 'app.py', old_text: STATUS_LINE, new_text: '    return [t for t in todos if t["completed"] == (status == "done")]' };

const DROP_TOTAL: Edit = { path: 'server.js', old_text: 'total: db.todo.length', new_text: 'total: db.todo?.length' };
const NODE_FIX: Edit = { path: 'server.js', old_text: 'total: db.todo.length', new_text: 'total: db.todos.length' };

describe('honest heals (real Docker, real HTTP, built-in fixer and scripted model)', function () {
  this.timeout(420_000);
  let fake: FakeLlm | null = null;
  const sessions = sessionCleanup();
  const track = sessions.track;
  afterEach(async () => {
    await sessions.run();
    await fake?.close();
    fake = null;
  });

  /** node-todo-api healed by `provider`: GET /todos works, then GET /todos?limit=1 kills the process. */
  const healNodeTodo = async (provider: LlmProvider) => {
    const dir = exampleRepo('node-todo-api');
    const h = track(makeSession(dir, provider, { verify: VERIFY, runtime: { ...DEFAULT_RUNTIME_SETTINGS, imageOverride: NODE_IMAGE, memoryMb: 256 } }), dir);
    await h.session.deploy();
    const { url } = await h.waitFor('proxy');
    assert.equal(await httpGet(`${url}/todos`), 200);
    await httpGet(`${url}/todos?limit=1`);
    const done = await h.waitFor('done');
    assert.equal(done.healed, true, done.reason);
    return { dir, h, done };
  };

  it('replays a POST that crashed in the scratch copy: reproduced (500), passed after the built-in rename (201), what worked unchanged, committed with the evidence', async () => {
    const dir = exampleRepo('python-todo-api');
    const h = track(makeSession(dir, new BuiltinFixer(), { verify: VERIFY }), dir);
    await h.session.deploy();
    const { url } = await h.waitFor('proxy');
    assert.equal(await httpGet(`${url}/todos`), 200);
    assert.equal(await httpGet(`${url}/todos`, { method: 'POST', headers: json, body: '{"title": " call mom "}' }), 500);
    const done = await h.waitFor('done');
    assert.equal(done.healed, true, done.reason);
    assert.deepEqual([done.reproducer?.kind, done.reproducer?.description, done.reproducer?.before, done.reproducer?.after], ['http', 'POST /todos', '500', '201']);
    const v = done.fix!.verification!;
    assert.equal(v.unverified, undefined);
    assert.match(v.evidence!.crash!.after, /^201 application\/json \{"id": 3, "title": "call mom", "completed": false\}/);
    assert.deepEqual(v.evidence!.samples.map((s) => [s.request, s.differences]), [['GET /todos', []]], 'the earlier GET was replayed on both copies and answered alike');
    assert.match(done.fix!.diff!, /^\+    todo = \{"id": len\(TODOS\) \+ 1, "title": body\["title"\]\.strip\(\), "completed": False\}$/m, 'renamed, not guarded');
    const body = git(dir, 'log', '-1', '--format=%b');
    assert.match(body, /Reproduced-By: POST \/todos -> 500 before, 201 after/);
    assert.match(body, /crashing request: POST \/todos\n {4}before: 500 application\/json \{"error": "internal server error"\}\n {4}after: {2}201 application\/json/);
    assert.match(body, /unchanged: GET \/todos/);
    assert.equal(await httpGet(`${url}/todos`, { method: 'POST', headers: json, body: '{"title": "again"}' }), 201, 'the live app is healed');
  });

  it('refuses patches that hide the error: one changes what worked (differential replay), one answers an empty default; the differences reach the next attempt', async () => {
    const dir = exampleRepo('python-todo-api');
    fake = await startFakeLlm(editingModel((_first, n) => [RENAME_THE_DATA, EMPTY_DEFAULT, REAL_FIX][n - 1] ?? null));
    const h = track(makeSession(dir, openaiAt(fake), { verify: VERIFY }), dir);
    await h.session.deploy();
    const { url } = await h.waitFor('proxy');
    assert.equal(await httpGet(`${url}/todos`), 200);
    assert.equal(await httpGet(`${url}/todos?status=done`), 500);
    const done = await h.waitFor('done');
    assert.equal(done.healed, true, done.reason);
    const verifies = h.events.filter((e) => e.kind === 'verify') as { attempt: number; result: { passed: boolean; masks?: string; checks: { name: string; passed: boolean; detail: string }[] } }[];
    assert.deepEqual(verifies.map((e) => e.attempt), [1, 2, 3]);
    const unchanged = verifies[0].result.checks.find((c) => c.name === 'behaviour unchanged')!;
    assert.equal(unchanged.passed, false);
    assert.match(unchanged.detail, /GET \/todos: .*\$\.todos\[0\]\.completed is missing/);
    assert.match(verifies[1].result.masks ?? '', /empty list at \$\.todos .*masks the error/);
    assert.equal(verifies[2].result.passed, true);
    const prompts = fake.requests.map((r) => requestText(r.body));
    assert.ok(prompts.some((t) => /\$\.todos\[0\]\.completed is missing/.test(t)), 'the difference reached the model');
    assert.ok(prompts.some((t) => /masks the error/.test(t)), 'so did the masking');
    assert.ok(readFileSync(path.join(dir, 'app.py'), 'utf8').includes('t["completed"] == (status == "done")'));
    assert.match(git(dir, 'log', '-1', '--format=%b'), /Attempts: 3/);
  });

  it('refuses a guard that drops a field from the answer, and does not verify the identical patch again (Node service)', async () => {
    fake = await startFakeLlm(editingModel((_first, n) => [DROP_TOTAL, DROP_TOTAL, NODE_FIX][n - 1] ?? null));
    const { dir, h } = await healNodeTodo(openaiAt(fake));
    const verifies = h.events.filter((e) => e.kind === 'verify') as { attempt: number; result: { passed: boolean; checks: { name: string; passed: boolean; detail: string }[] } }[];
    assert.deepEqual(verifies.map((e) => [e.attempt, e.result.passed]), [[1, false], [3, true]], 'attempt 2 repeated attempt 1 and was not verified');
    const route = verifies[0].result.checks.find((c) => c.name === 'answer like its route')!;
    assert.match(route.detail, /\$\.total is missing/);
    assert.ok(h.events.some((e) => e.kind === 'log' && /attempt 2: identical to attempt 1's refused patch; not verified again/.test(e.line.text)));
    assert.ok(fake.requests.some((r) => /identical to attempt 1's, which verification refused/.test(requestText(r.body))), 'the model is told why');
    assert.match(readFileSync(path.join(dir, 'server.js'), 'utf8'), /total: db\.todos\.length/);
  });

  it('fixes a typo crash of a Node service with the built-in fixer by renaming db.todo to db.todos, verified against the earlier answers', async () => {
    const { done } = await healNodeTodo(new BuiltinFixer());
    assert.match(done.fix!.diff!, /^\+  return \{ todos: db\.todos\.slice\(0, limit\), total: db\.todos\.length \};$/m);
    assert.doesNotMatch(done.fix!.summary, /Masks the error/);
    const check = done.fix!.verification!.checks.find((c) => c.name === 'answer like its route')!;
    assert.equal(check.passed, true, check.detail);
  });

  it('CLI: a crash the scratch copy does not reproduce ends UNVERIFIED, exit 1, nothing applied or committed', async () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'ignore' });
    // The config loses its key 8 s after start: the live app crashes on a late request, a fresh copy does not.
    const app = [
      'import json, os, threading, time, traceback',
      'from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer',
      'CONFIG = {"limit": 10}',
      'def reload():',
      '    time.sleep(8)',
      '    CONFIG.pop("limit")',
      'threading.Thread(target=reload, daemon=True).start()',
      'class H(BaseHTTPRequestHandler):',
      '    def do_GET(self):',
      '        try:',
      '            body, status = json.dumps({"limit": CONFIG["limit"]}).encode(), 200',
      '        except Exception:',
      '            traceback.print_exc()',
      '            body, status = b"{}", 500',
      '        self.send_response(status); self.send_header("Content-Type", "application/json"); self.end_headers(); self.wfile.write(body)',
      'print("listening", flush=True)',
      'ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8000"))), H).serve_forever()',
      '',
    ].join('\n');
    const dir = exampleRepo('empty', { 'app.py': app });
    sessions.add(() => rmSync(dir, { recursive: true, force: true }));
    const before = snapshot(dir);
    const head = git(dir, 'rev-parse', 'HEAD');
    let sent = false;
    const run = await runCli(['heal', dir, '--image', PY_IMAGE, '--yes', '--commit', '--verify-seconds', '2', '--timeout-seconds', '300', '--json'], (e) => {
      if (e.kind === 'proxy' && !sent) {
        sent = true;
        setTimeout(() => void httpGet(`${e.url}/limit`), 10_000);
      }
    });
    assert.equal(run.code, 1, run.stderr + run.stdout.slice(-3000));
    const done = run.events.filter((e) => e.kind === 'done').pop()!;
    assert.equal(done.healed, false);
    assert.equal(done.unverified, true);
    assert.equal(done.verdict, 'unverified');
    assert.match(done.reason, /^unverified: not reproducible: GET \/limit did not reproduce the crash on the unpatched code \(200\)/);
    assert.equal(done.fix.status, 'unverified');
    assert.ok(!run.events.some((e) => e.kind === 'state' && e.state === 'HEALED'));
    assert.ok(!run.events.some((e) => e.kind === 'commit'));
    assert.deepEqual(snapshot(dir), before, 'nothing applied');
    assert.equal(git(dir, 'rev-parse', 'HEAD'), head, 'nothing committed');
  });
});
