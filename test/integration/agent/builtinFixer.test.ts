import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuiltinFixer } from '../../../src/core/agent/builtinFixer';
import { budgetFor } from '../../support/budgetFor';
import { createSecretMasker } from '../../../src/core/privacy/secretMasker';
import { runFixAgent } from '../../../src/core/agent/fixAgent';
import type { FixLimits } from '../../../src/core/agent/llmProvider';
import type { PendingPatch } from '../../../src/core/patch/pendingPatch';
import type { CrashReport } from '../../../src/core/crash/crashReport';
import { createPathMapper } from '../../../src/core/crash/pathMapper';
import { scanText } from '../../../src/core/crash/scanText';
import type { LedgerRecord } from '../../../src/core/agent/ledger';

const ROOT = join(__dirname, '../../..');
const limits: FixLimits = { maxTurns: 8, maxTokens: 100_000, maxCostUsd: 0.5, dailyCostUsd: 5, timeoutMs: 10_000 };

function exampleCrashes(name: string, dir: string): CrashReport[] {
  const trace = readFileSync(join(ROOT, 'test/fixtures/agent/traces', `${name}.txt`), 'utf8');
  return scanText(trace, { pathMapper: createPathMapper({ workspaceDir: dir, containerWorkdir: '/app' }) });
}

function applyToDisk(dir: string, patch: PendingPatch): void {
  for (const f of patch.files) writeFileSync(join(dir, f.path), f.patched);
}

async function fixExample(name: string, crashIndex = 0) {
  const dir = mkdtempSync(join(tmpdir(), `autodev-builtin-${name}-`));
  cpSync(join(ROOT, 'examples', name), dir, { recursive: true });
  const crashes = exampleCrashes(name, dir);
  assert.ok(crashes.length > crashIndex, `the fixture trace of ${name} has a crash`);
  const crash = crashes[crashIndex];
  const ledger: LedgerRecord[] = [];
  const outcome = await runFixAgent({
    workspaceDir: dir,
    crash,
    logTail: [],
    provider: new BuiltinFixer(),
    limits,
    budget: budgetFor(limits),
    attempt: 1,
    previousAttempts: [],
    masker: createSecretMasker({ workspaceDir: dir, secrets: [] }),
    onRequest: (r) => ledger.push(r),
  });
  return { dir, crash, outcome, ledger };
}

const python = (dir: string, ...args: string[]) => execFileSync('python3', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('built-in fixer on the example apps (real traces)', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('python-divide: guards total / len(people) and the app then runs to exit 0', async () => {
    const { dir, outcome, ledger } = await fixExample('python-divide');
    dirs.push(dir);
    assert.ok(outcome.patch, outcome.reason);
    assert.match(outcome.patch.diff, /^-    return total \/ len\(people\)$/m);
    assert.match(outcome.patch.diff, /^\+    return \(total \/ len\(people\) if len\(people\) else 0\)$/m);
    assert.equal(outcome.turns, 3, 'read_file, edit_file, finish: three turns through the same pipeline');
    assert.equal(ledger.length, 0, 'nothing leaves the machine, so the ledger records nothing');
    assert.equal(readFileSync(join(dir, 'app.py'), 'utf8').includes('if len(people)'), false, 'nothing is written to disk by the agent');
    applyToDisk(dir, outcome.patch);
    assert.match(python(dir, 'app.py'), /each pays 0\.00/);
  });

  it('python-http-stats GET /stats: guards sum(...) / len(orders)', async () => {
    const { dir, outcome } = await fixExample('python-http-stats', 0);
    dirs.push(dir);
    assert.ok(outcome.patch, outcome.reason);
    assert.match(outcome.patch.diff, /^\+    return \(sum\(o\["amount"\] for o in orders\) \/ len\(orders\) if len\(orders\) else 0\)$/m);
    applyToDisk(dir, outcome.patch);
    assert.equal(python(dir, '-c', 'import app; print(app.average_order_value([]))').trim(), '0');
  });

  it('python-http-stats POST /orders: guards the per-item division', async () => {
    const { dir, outcome } = await fixExample('python-http-stats', 1);
    dirs.push(dir);
    assert.ok(outcome.patch, outcome.reason);
    assert.match(outcome.patch.diff, /^\+    order\["per_item"\] = \(order\["amount"\] \/ len\(order\["items"\]\) if len\(order\["items"\]\) else 0\)$/m);
    applyToDisk(dir, outcome.patch);
    assert.match(python(dir, '-c', 'import app; print(app.add_order({"amount": 10, "items": []}))'), /'per_item': 0/);
  });

  it('python-worker-keyerror: guards the missing "payload" key and the worker finishes', async () => {
    const { dir, outcome } = await fixExample('python-worker-keyerror');
    dirs.push(dir);
    assert.ok(outcome.patch, outcome.reason);
    assert.match(outcome.patch.diff, /^\+    if "payload" not in job:\n\+        return None\n     size = job\["payload"\]$/m);
    applyToDisk(dir, outcome.patch);
    assert.match(python(dir, 'main.py'), /"done": 4/);
  });

  it('python-missing-module: creates requirements.txt with requests', async () => {
    const { dir, outcome } = await fixExample('python-missing-module');
    dirs.push(dir);
    assert.ok(outcome.patch, outcome.reason);
    assert.deepEqual(outcome.patch.files, [{ path: 'requirements.txt', original: null, patched: 'requests\n' }]);
    assert.match(outcome.patch.diff, /new file mode[\s\S]*\+requests/);
    assert.match(outcome.patch.summary, /requests/);
  });

  it('node-http-typeerror: optional chaining on every read through the undefined user', async () => {
    const { dir, outcome } = await fixExample('node-http-typeerror');
    dirs.push(dir);
    assert.ok(outcome.patch, outcome.reason);
    assert.match(outcome.patch.diff, /^\+  return \{ id, name: user\?\.name, city: user\?\.profile\.city \};$/m);
    applyToDisk(dir, outcome.patch);
    execFileSync(process.execPath, ['--check', join(dir, 'server.js')]);
  });

  it('says there is no built-in fix for an unknown crash type and names the way out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autodev-builtin-none-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'app.py'), 'raise ValueError("bad input")\n');
    const [crash] = scanText('Traceback (most recent call last):\n  File "/app/app.py", line 1, in <module>\n    raise ValueError("bad input")\nValueError: bad input\n', {
      pathMapper: createPathMapper({ workspaceDir: dir }),
    });
    const outcome = await runFixAgent({ workspaceDir: dir, crash, logTail: [], provider: new BuiltinFixer(), limits, budget: budgetFor(limits), attempt: 1, previousAttempts: [], masker: createSecretMasker({ workspaceDir: dir, secrets: [] }) });
    assert.equal(outcome.patch, null);
    assert.match(outcome.reason, /no built-in fix for ValueError; configure a model/);
  });

  /** Runs a program for real in `dir` and returns its stderr (the trace). */
  const crashOutput = (dir: string, cmd: string, args: string[]) => {
    try {
      execFileSync(cmd, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      return String((err as { stderr?: string }).stderr ?? '');
    }
    throw new Error(`${cmd} ${args.join(' ')} did not crash`);
  };
  const fixLive = async (dir: string, trace: string) => {
    const [crash] = scanText(trace, { pathMapper: createPathMapper({ workspaceDir: dir }) });
    assert.ok(crash, `a crash is detected in:\n${trace}`);
    return runFixAgent({ workspaceDir: dir, crash, logTail: [], provider: new BuiltinFixer(), limits, budget: budgetFor(limits), attempt: 1, previousAttempts: [], masker: createSecretMasker({ workspaceDir: dir, secrets: [] }) });
  };

  it('Node MODULE_NOT_FOUND (live node trace): adds the package to package.json dependencies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autodev-builtin-nodemod-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'package.json'), '{\n  "name": "svc",\n  "scripts": { "start": "node index.js" }\n}\n');
    writeFileSync(join(dir, 'index.js'), "const express = require('express');\nexpress();\n");
    const outcome = await fixLive(dir, crashOutput(dir, process.execPath, ['index.js']));
    assert.ok(outcome.patch, outcome.reason);
    const pkg = JSON.parse(outcome.patch.files[0].patched);
    assert.deepEqual(pkg.dependencies, { express: '*' });
    assert.equal(pkg.scripts.start, 'node index.js');
  });

  it("Python AttributeError on None (live python trace): guards the access and the script then runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autodev-builtin-none-attr-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'app.py'), 'import re\n\n\ndef version(s):\n    return re.match(r"v(\\d+)", s).group(1)\n\n\nprint(version("release"))\n');
    const outcome = await fixLive(dir, crashOutput(dir, 'python3', ['app.py']));
    assert.ok(outcome.patch, outcome.reason);
    assert.match(outcome.patch.diff, /^\+    return \(_obj\.group\(1\) if \(_obj := re\.match\(r"v\(\\d\+\)", s\)\) is not None else None\)$/m);
    applyToDisk(dir, outcome.patch);
    assert.equal(python(dir, 'app.py').trim(), 'None');
  });

  it('Python ModuleNotFoundError with an import name that differs from the package (yaml → PyYAML), appended to requirements.txt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autodev-builtin-yaml-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'requirements.txt'), 'flask==3.0.0\n');
    writeFileSync(join(dir, 'app.py'), 'import yaml_not_installed_for_test as yaml\n');
    const trace = crashOutput(dir, 'python3', ['-S', 'app.py']).replace(/yaml_not_installed_for_test/g, 'yaml');
    const outcome = await fixLive(dir, trace);
    assert.ok(outcome.patch, outcome.reason);
    assert.equal(outcome.patch.files[0].patched, 'flask==3.0.0\nPyYAML\n');
  });

  describe('typos are renamed to the name the program defines, never guarded (live traces)', () => {
    const workspace = (name: string, files: Record<string, string>) => {
      const dir = mkdtempSync(join(tmpdir(), `autodev-builtin-${name}-`));
      dirs.push(dir);
      for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
      return dir;
    };
    const fixAndRun = async (dir: string, cmd: string, entry: string) => {
      const outcome = await fixLive(dir, crashOutput(dir, cmd, [entry]));
      assert.ok(outcome.patch, outcome.reason);
      applyToDisk(dir, outcome.patch);
      return { outcome, output: execFileSync(cmd, [entry], { cwd: dir, encoding: 'utf8' }) };
    };

    it("KeyError 'complete' where the dict literally has 'completed': renames the key", async () => {
      const dir = workspace('key-typo', { 'app.py': "todos = [{'title': 'milk', 'completed': True}, {'title': 'eggs', 'completed': False}]\nopen_ = [t['title'] for t in todos if not t['complete']]\nprint('open:', open_)\n" });
      const { outcome, output } = await fixAndRun(dir, 'python3', 'app.py');
      assert.match(outcome.patch!.diff, /^\+open_ = \[t\['title'\] for t in todos if not t\['completed'\]\]$/m);
      assert.doesNotMatch(outcome.patch!.summary, /Masks the error/);
      assert.match(outcome.patch!.summary, /'complete' is a typo of 'completed'/);
      assert.equal(output.trim(), "open: ['eggs']");
    });

    it("AttributeError with Python's \"Did you mean: 'title'?\": renames the attribute", async () => {
      const dir = workspace('attr-typo', { 'app.py': 'class Todo:\n    def __init__(self, title):\n        self.title = title\n\n\nt = Todo("milk")\nprint(t.titel.upper())\n' });
      const { outcome, output } = await fixAndRun(dir, 'python3', 'app.py');
      assert.match(outcome.patch!.diff, /^\+print\(t\.title\.upper\(\)\)$/m);
      assert.equal(output.trim(), 'MILK');
    });

    it('NameError with "Did you mean": renames the identifier', async () => {
      const dir = workspace('name-typo', { 'app.py': 'total = 3\nprint("total", totl * 2)\n' });
      const { output } = await fixAndRun(dir, 'python3', 'app.py');
      assert.equal(output.trim(), 'total 6');
    });

    it("AttributeError on None from .get('titel') where the dict has 'title': renames the key, no None guard", async () => {
      const dir = workspace('get-typo', { 'app.py': "todo = {'title': '  milk  ', 'done': False}\nprint(todo.get('titel').strip())\n" });
      const { outcome, output } = await fixAndRun(dir, 'python3', 'app.py');
      assert.match(outcome.patch!.diff, /^\+print\(todo\.get\('title'\)\.strip\(\)\)$/m);
      assert.equal(output.trim(), 'milk');
    });

    it('ModuleNotFoundError for a near-miss of a local module: renames the import, never adds it to requirements.txt', async () => {
      const dir = workspace('local-mod', { 'expand.py': 'def grow(x):\n    return x * 2\n', 'app.py': 'from expnad import *\n\nprint(grow(21))\n', 'requirements.txt': '' });
      const { outcome, output } = await fixAndRun(dir, 'python3', 'app.py');
      assert.deepEqual(outcome.patch!.files.map((f) => f.path), ['app.py']);
      assert.match(outcome.patch!.diff, /^\+from expand import \*$/m);
      assert.match(outcome.patch!.summary, /typo of 'expand' \(a module of this workspace\)/);
      assert.equal(output.trim(), '42');
    });

    it('ModuleNotFoundError for a near-miss of the standard library (jsonn → json): renames the import', async () => {
      const dir = workspace('stdlib-mod', { 'app.py': 'import jsonn\n\nprint(jsonn.dumps([1]))\n' });
      const outcome = await fixLive(dir, crashOutput(dir, 'python3', ['app.py']));
      assert.ok(outcome.patch, outcome.reason);
      assert.deepEqual(outcome.patch.files.map((f) => f.path), ['app.py']);
      assert.match(outcome.patch.diff, /^\+import json$/m);
    });

    it("Node TypeError reading .length of db.todo where db defines todos: renames the property, no optional chain", async () => {
      const dir = workspace('js-prop', { 'app.js': "const db = { todos: [{ title: 'milk' }] };\nconsole.log('total', db.todo.length);\n" });
      const { outcome, output } = await fixAndRun(dir, process.execPath, 'app.js');
      assert.match(outcome.patch!.diff, /^\+console\.log\('total', db\.todos\.length\);$/m);
      assert.doesNotMatch(outcome.patch!.diff, /\?\./);
      assert.equal(output.trim(), 'total 1');
    });

    it("Node MODULE_NOT_FOUND for './utlis' next to utils.js: renames the require", async () => {
      const dir = workspace('js-mod', { 'utils.js': 'exports.twice = (x) => x * 2;\n', 'app.js': "const { twice } = require('./utlis');\nconsole.log(twice(4));\n" });
      const { outcome, output } = await fixAndRun(dir, process.execPath, 'app.js');
      assert.match(outcome.patch!.diff, /^\+const \{ twice \} = require\('\.\/utils'\);$/m);
      assert.equal(output.trim(), '8');
    });

    it('a guard says it masks the error when no near name fits', async () => {
      const dir = workspace('no-near', { 'app.py': "cfg = {}\nprint(cfg['timeout'])\n" });
      const outcome = await fixLive(dir, crashOutput(dir, 'python3', ['app.py']));
      assert.ok(outcome.patch, outcome.reason);
      assert.match(outcome.patch.summary, /^Masks the error \(a guard, not a root-cause fix\):/);
    });
  });
});
