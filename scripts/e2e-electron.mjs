// `npm run test:electron`: the same extension-host suite (test/suite) in desktop VS Code via @vscode/test-electron.
// It downloads VS Code, so it needs internet; offline, test/e2e/extensionHost.test.ts runs the suite in the VS Code
// server that code-server bundles instead (`npm run test:e2e`).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { makeExampleWorkspace, repoRoot } from './e2e-workbench.mjs';

for (const script of ['scripts/build.mjs', 'scripts/e2e-build-suite.mjs']) {
  if (spawnSync(process.execPath, [script], { cwd: repoRoot, stdio: 'inherit' }).status !== 0) process.exit(1);
}
const ws = makeExampleWorkspace('python-divide');
try {
  await runTests({
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: join(repoRoot, 'out/suite/index.js'),
    launchArgs: [ws.dir, '--disable-extensions', '--disable-workspace-trust'],
  });
  process.exitCode = 0;
} catch (err) {
  console.error(`test:electron: ${err instanceof Error ? err.message : err}\n(@vscode/test-electron downloads VS Code; without internet run the same suite offline with \`npm run test:e2e\`.)`);
  process.exitCode = 1;
} finally {
  ws.cleanup();
}
