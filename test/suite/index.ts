/**
 * Extension-host test entry: the standard `run()` that @vscode/test-electron (`npm run test:electron`) and the
 * offline VS Code server runner (test/e2e/extensionHost.test.ts, smoke-test driver) both call. Rejects on failure.
 */
import * as fs from 'node:fs';
import Mocha from 'mocha';

export function run(): Promise<void> {
  // AUTODEV_SUITE_GREP picks suites by title; with AUTODEV_SUITE_GREP_INVERT=1 it leaves them out (the runner gives a
  // loop suite a window, and a fresh copy of its example, of its own).
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 180_000, grep: process.env.AUTODEV_SUITE_GREP || undefined, invert: process.env.AUTODEV_SUITE_GREP_INVERT === '1' });
  // Bundled suites: define describe/it first, then load the test modules (esbuild keeps these requires lazy).
  mocha.suite.emit('pre-require', globalThis, 'bundle', mocha);
  require('./activation.test');
  require('./adapters.test');
  require('./healLoop.test');
  require('./openaiProvider.test');
  require('./patchApplierSaves.test');
  require('./resourceKill.test');
  require('./workspaceTrust.test');
  const results = { passed: 0, failed: 0, pending: 0, tests: [] as { title: string; state: string; error?: string; ms?: number }[] };
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const out = process.env.AUTODEV_SUITE_RESULTS;
      if (out) fs.writeFileSync(out, JSON.stringify(results, null, 2));
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => {
      results.passed++;
      results.tests.push({ title: t.fullTitle(), state: 'passed', ms: t.duration });
    });
    runner.on('fail', (t, err: Error) => {
      results.failed++;
      results.tests.push({ title: t.fullTitle(), state: 'failed', error: String(err?.stack ?? err) });
    });
    runner.on('pending', (t) => {
      results.pending++;
      results.tests.push({ title: t.fullTitle(), state: 'pending' });
    });
  });
}
