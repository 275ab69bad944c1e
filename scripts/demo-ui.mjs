// `npm run demo -- --ui`: the real product in a browser, no VS Code needed. Packages the extension, installs it into
// code-server (VS Code 1.139, offline), opens a fresh copy of an example workspace (a git repo with a local bare
// remote) and prints the URL. Run "AutoDev: Deploy Workspace" from the command palette (F1). Ctrl-C stops it.
//   node scripts/demo-ui.mjs [--example python-divide|python-http-stats|node-http-typeerror|…] [--port 8080]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ensureKit, installVsix, makeExampleWorkspace, packageVsix, repoRoot, startServer } from './e2e-workbench.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const example = opt('example', 'python-divide');
const port = Number(opt('port', '8080'));
if (!existsSync(join(repoRoot, 'examples', example))) {
  console.error(`demo --ui: no example named "${example}" in examples/.`);
  process.exit(2);
}

if (!existsSync(join(repoRoot, 'node_modules'))) {
  console.log('demo --ui: installing dependencies (npm ci)…');
  if (spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: repoRoot, stdio: 'inherit' }).status !== 0) process.exit(2);
}
// The example workspace uses the local offline base images (built once when missing; see scripts/offline-images.sh).
if (spawnSync('bash', [join(repoRoot, 'scripts/offline-images.sh')], { stdio: 'inherit' }).status !== 0) {
  console.error('demo --ui: Docker or the offline base images are not ready (see above).');
  process.exit(2);
}
console.log('demo --ui: readying the VS Code server kit (first run installs Node 24 + code-server, ~2 min)…');
ensureKit();
console.log('demo --ui: packaging the extension…');
const vsix = packageVsix();
const dataDir = join(process.env.AUTODEV_E2E_HOME ?? join(homedir(), '.cache/autodev-e2e'), 'demo');
mkdirSync(dataDir, { recursive: true });
installVsix(vsix, dataDir);
const ws = makeExampleWorkspace(example);
let server;
try {
  server = await startServer({ kind: 'code-server', dataDir, folder: ws.dir, port });
} catch (err) {
  console.error(`demo --ui: could not start code-server on 127.0.0.1:${port}: ${err.message}\nTry another port: npm run demo -- --ui --port 8181`);
  ws.cleanup();
  process.exit(1);
}
const url = `${server.url}/?folder=${encodeURIComponent(ws.dir)}`;
console.log(`
  AutoDev is running in VS Code (code-server) at:

    ${url}

  Workspace: ${ws.dir} (a copy of examples/${example}; remote: ${ws.remote})
  In the browser: F1 → "AutoDev: Deploy Workspace". Mission Control shows the crash, the verified fix and the review;
  Accept in the diff editor, then push from the AutoDev sidebar (Fixes).
  Server log: ${server.logFile}
  Ctrl-C stops the server and removes the workspace copy.
`);
const shutdown = async () => {
  await server.stop();
  ws.cleanup();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
setInterval(() => {}, 1 << 30);
