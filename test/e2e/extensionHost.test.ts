/**
 * Runs the extension-host suite (test/suite) inside the real VS Code 1.139 server bundled in code-server, offline,
 * through the smoke-test driver. Every loop suite gets a window and a fresh copy of its example of its own (the built-in
 * loop, the OpenAI-compatible loop, the memory kill), so one suite's leftovers can never decide the next one's verdict;
 * then an untrusted window (Workspace Trust). The runner's exit code is the verdict.
 */
import * as assert from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CpuLoad } from '../support/cpuLoad';

const root = path.resolve(__dirname, '../..');
const resultsDir = path.join(root, 'test-results');
type Workbench = typeof import('../../scripts/e2e-workbench.mjs');
const workbench = (): Promise<Workbench> => import(path.join(root, 'scripts/e2e-workbench.mjs'));

/** The OpenAI-compatible loop suite: it runs in a window of its own, never after the built-in loop in the same workspace. */
const OPENAI_SUITE = 'Heal loop with an OpenAI-compatible model';

function buildAll(): void {
  for (const script of ['scripts/build.mjs', 'scripts/e2e-build-suite.mjs']) {
    const r = spawnSync(process.execPath, [script], { cwd: root, encoding: 'utf8' });
    assert.strictEqual(r.status, 0, `${script} failed:\n${r.stdout}\n${r.stderr}`);
  }
}

function report(label: string, result: { code: unknown; summary: { passed: number; failed: number; pending: number; tests: { title: string; state: string; error?: string }[] } | null }): string {
  const s = result.summary;
  const lines = [`${label}: exit ${String(result.code)}; ${s ? `${s.passed} passed, ${s.failed} failed, ${s.pending} pending` : 'no results file'}`];
  for (const t of s?.tests ?? []) lines.push(`    ${t.state === 'passed' ? '✓' : t.state === 'failed' ? '✗' : '-'} ${t.title}${t.error ? `\n      ${t.error.split('\n').slice(0, 6).join('\n      ')}` : ''}`);
  return lines.join('\n');
}

describe('VS Code extension host (offline VS Code server + smoke-test driver)', function () {
  this.timeout(25 * 60_000);

  before(async () => {
    buildAll();
    (await workbench()).ensureKit();
  });

  it('passes the extension-host suite in a trusted window: activation, adapters, deploy → crash → Problems → diff → Accept → commit → Fixes → push', async () => {
    const wb = await workbench();
    const ws = wb.makeExampleWorkspace('python-divide');
    try {
      const result = await wb.runExtensionHostTests({ folder: ws.dir, trusted: true, grep: OPENAI_SUITE, invert: true, resultsDir });
      const text = report('trusted window', result);
      console.log(text);
      assert.strictEqual(result.code, 0, `${text}\nserver log: ${result.serverLog}`);
      assert.ok(result.summary && result.summary.failed === 0 && result.summary.passed >= 28, text);
      // The loop tests skip themselves when their preconditions are missing: here every one of them must have run.
      const loop = result.summary.tests.filter((t) => /Heal loop in VS Code/.test(t.title));
      assert.ok(loop.length >= 11 && loop.every((t) => t.state === 'passed'), `heal-loop tests did not all run:\n${text}`);
    } finally {
      ws.cleanup();
    }
  });

  it('reaches the same verdicts with the CPU oversubscribed: the heal-loop suite on a fresh copy, three busy processes beside it', async () => {
    const wb = await workbench();
    const ws = wb.makeExampleWorkspace('python-divide');
    const load = CpuLoad.start(3);
    try {
      const result = await wb.runExtensionHostTests({ folder: ws.dir, trusted: true, grep: 'Heal loop in VS Code', label: 'under-load', resultsDir, timeoutMs: 20 * 60_000 });
      const text = report('loaded window', result);
      console.log(text);
      assert.ok(load.running, 'the busy processes spun for the whole run');
      // Same verdicts as the quiet window above: every loop step passes (states, HEALED, commit, push, revert).
      assert.strictEqual(result.code, 0, `${text}\nserver log: ${result.serverLog}`);
      const loop = result.summary?.tests.filter((t) => /Heal loop in VS Code/.test(t.title)) ?? [];
      assert.ok(loop.length >= 11 && loop.every((t) => t.state === 'passed'), `heal-loop tests under load:\n${text}`);
    } finally {
      await load.stop();
      ws.cleanup();
    }
  });

  it('heals the same example with an OpenAI-compatible fake model, in a window of its own on a fresh copy', async () => {
    const wb = await workbench();
    const ws = wb.makeExampleWorkspace('python-divide', { bareRemote: false });
    try {
      // A throwaway key: the suite checks it arrives as the Bearer token (env fallback).
      const result = await wb.runExtensionHostTests({ folder: ws.dir, trusted: true, grep: OPENAI_SUITE, label: 'openai', resultsDir, env: { AUTODEV_API_KEY: 'sk-test-autodev-0123456789abcdef' } });
      const text = report('OpenAI-compatible window', result);
      console.log(text);
      assert.strictEqual(result.code, 0, `${text}\nserver log: ${result.serverLog}`);
      assert.strictEqual(result.summary?.passed, 2, text);
    } finally {
      ws.cleanup();
    }
  });

  it('reports a kill for memory without asking a model, and Raise Memory Limit restarts it healthy', async () => {
    const wb = await workbench();
    const ws = wb.makeWorkspaceFromFiles('oom-hog', {
      'app.py': 'import time\ndata = bytearray(100 * 1024 * 1024)  # needs ~110 MiB in all\nprint("allocated 100 MiB", flush=True)\ntime.sleep(600)\n',
    }, { bareRemote: false, settings: { 'autodev.runtime.memoryMb': 64 } });
    try {
      const result = await wb.runExtensionHostTests({ folder: ws.dir, trusted: true, grep: 'Resource kill', label: 'memory-kill', resultsDir });
      const text = report('memory-kill window', result);
      console.log(text);
      assert.strictEqual(result.code, 0, `${text}\nserver log: ${result.serverLog}`);
      assert.strictEqual(result.summary?.passed, 2, text);
    } finally {
      ws.cleanup();
    }
  });

  it('refuses to deploy in an untrusted window and ignores the workspace\'s restricted settings', async () => {
    const wb = await workbench();
    const ws = wb.makeExampleWorkspace('python-divide', { bareRemote: false, settings: { 'autodev.model.baseUrl': 'http://attacker.invalid/v1' } });
    try {
      const result = await wb.runExtensionHostTests({ folder: ws.dir, trusted: false, grep: 'Workspace Trust|AutoDev extension', resultsDir });
      const text = report('untrusted window', result);
      console.log(text);
      assert.strictEqual(result.code, 0, `${text}\nserver log: ${result.serverLog}`);
      const untrustedTests = result.summary?.tests.filter((t) => /in an untrusted workspace/.test(t.title)) ?? [];
      assert.ok(untrustedTests.length >= 2 && untrustedTests.every((t) => t.state === 'passed'), `the untrusted-window tests did not run:\n${text}`);
    } finally {
      ws.cleanup();
    }
  });
});
