// `npm test`: readies the machine (Docker engine, offline base images, Chromium, VS Code server), builds,
// runs the lint (the boundaries: a lint failure counts as one failed test) and every mocha suite, and ends with the
// line CI reads: `tests: N passed, N failed`.
//   --only unit|integration|webview|e2e   run one folder (repeatable); --skip-setup   skip the setup step;
//   --skip-lint   skip `npm run lint` (it runs with every full run and with --only unit)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const only = args.flatMap((a, i) => (a === '--only' ? [args[i + 1]] : []));
const suites = only.length ? only : ['unit', 'integration', 'webview', 'e2e'];
const run = (cmd, argv, env = {}) => spawnSync(cmd, argv, { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

let setupFailed = false;
if (!args.includes('--skip-setup') && suites.some((s) => s !== 'unit')) {
  const needs = suites.filter((s) => s !== 'unit').join(',');
  if (run('bash', ['scripts/setup.sh', needs]) !== 0) {
    console.error('setup: the environment is not ready; the tests that need it will fail and say why.');
    setupFailed = true;
  }
}
if (run(process.execPath, ['scripts/build.mjs']) !== 0) {
  console.log('tests: 0 passed, 1 failed');
  process.exit(1);
}
// The lint is a test like the others: its failure is counted, so the summary line stays honest.
const lintFailed = !args.includes('--skip-lint') && (only.length === 0 || only.includes('unit')) && run(process.execPath, ['node_modules/eslint/bin/eslint.js', 'src', 'webview', 'test', 'bench', 'scripts']) !== 0;
if (lintFailed) console.error('lint: the boundaries or the import rules are broken (see above); counted as 1 failed test.');
const summary = join(mkdtempSync(join(tmpdir(), 'autodev-test-')), 'summary.json');
const specs = suites.map((s) => `test/${s}/**/*.test.ts`).filter((g) => existsSync(g.split('/**')[0]));
const status = run(
  process.execPath,
  ['node_modules/mocha/bin/mocha.js', '--require', 'tsx/cjs', '--reporter', 'test/support/summaryReporter.js', '--timeout', '120000', '--exit', ...specs],
  { AUTODEV_TEST_SUMMARY: summary },
);
let counts = { passed: 0, failed: status === 0 ? 0 : 1 };
if (existsSync(summary)) counts = JSON.parse(readFileSync(summary, 'utf8'));
if (setupFailed && counts.failed === 0) counts.failed = 1;
if (lintFailed) counts.failed += 1;
else if (!args.includes('--skip-lint') && (only.length === 0 || only.includes('unit'))) counts.passed += 1;
console.log(`tests: ${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed === 0 && status === 0 ? 0 : 1);
