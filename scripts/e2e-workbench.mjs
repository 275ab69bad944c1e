// Real VS Code workbench, offline: starts the stock VS Code server bundled in code-server (extension-host tests, with
// the smoke-test driver) or code-server itself (UI e2e, demo) on 127.0.0.1, and prepares example workspaces.
// Used by test/e2e/*.test.ts and scripts/demo-ui.mjs. Servers run with their own data/XDG folders, a short
// reconnection grace time, and are stopped by the PID we started. (Server flags and versions: see README, "Real-workbench tests".)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const chromiumPath = process.env.AUTODEV_CHROMIUM ?? '/usr/bin/chromium';

/** Installs (first time) or checks (quietly) the kit; returns its paths. */
export function ensureKit() {
  const setup = join(repoRoot, 'scripts/setup-vscode-server.sh');
  const r = spawnSync('bash', [setup], { stdio: ['ignore', 'inherit', 'inherit'] });
  const home = execFileSync('bash', [setup, '--print-home'], { encoding: 'utf8' }).trim();
  if (r.status !== 0) {
    // One line naming the cause and the command to retry (the script keeps its last failure in .last-error).
    const cause = existsSync(join(home, '.last-error')) ? readFileSync(join(home, '.last-error'), 'utf8').trim() : '';
    throw new Error(`the real-workbench kit is not installed: ${cause || 'scripts/setup-vscode-server.sh failed (see its message above); retry with: bash scripts/setup-vscode-server.sh'}`);
  }
  const cs = join(home, 'cs/node_modules/code-server');
  return {
    home,
    node: join(home, 'node24/package/bin/node'),
    serverMain: join(cs, 'lib/vscode/out/server-main.js'),
    codeServerEntry: join(cs, 'out/node/entry.js'),
  };
}

export async function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function waitForHttp(url, child, logFile, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (code ${child.exitCode}) before answering; log: ${logFile}\n${tail(logFile)}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the server did not answer at ${url} within ${timeoutMs / 1000} s; log: ${logFile}\n${tail(logFile)}`);
}

function tail(file, n = 30) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

function stopper(child) {
  let stopped = false;
  return async () => {
    if (stopped || child.exitCode !== null) return;
    stopped = true;
    const exited = new Promise((r) => child.once('exit', r));
    // The server runs in its own process group (detached): signal the group by the PID we started, so the
    // extension host and its children go too.
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    await exited;
    clearTimeout(timer);
  };
}

/**
 * Starts a workbench server. kind 'vscode': the bundled stock VS Code server (accepts --enable-smoke-test-driver,
 * so the `payload` query can name extensionDevelopmentPath/extensionTestsPath). kind 'code-server': code-server.
 */
export async function startServer({ kind = 'vscode', dataDir, folder, trusted = true, env = {}, port, logFile } = {}) {
  const kit = ensureKit();
  dataDir ??= mkdtempSync(join(tmpdir(), `autodev-${kind}-`));
  mkdirSync(dataDir, { recursive: true });
  port ??= await freePort();
  logFile ??= join(dataDir, 'server.log');
  const out = openSync(logFile, 'a');
  const common = ['--disable-telemetry', '--reconnection-grace-time', '5', ...(trusted ? ['--disable-workspace-trust'] : [])];
  const args = kind === 'vscode'
    ? [kit.serverMain, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--accept-server-license-terms',
        '--enable-smoke-test-driver', '--user-data-dir', join(dataDir, 'user'), '--server-data-dir', join(dataDir, 'server'),
        '--extensions-dir', join(dataDir, 'ext'), ...common]
    : [kit.codeServerEntry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-update-check',
        '--config', join(dataDir, 'config.yaml'), '--user-data-dir', join(dataDir, 'user'), '--extensions-dir', join(dataDir, 'ext'),
        ...common, ...(folder ? [folder] : [])];
  if (kind === 'code-server' && !existsSync(join(dataDir, 'config.yaml'))) writeFileSync(join(dataDir, 'config.yaml'), 'auth: none\ncert: false\n');
  // A quiet first start: no welcome page, chat panel or git auto-fetch prompt covering what the tests look at.
  const userSettings = join(dataDir, 'user', 'User', 'settings.json');
  if (!existsSync(userSettings)) {
    mkdirSync(dirname(userSettings), { recursive: true });
    writeFileSync(userSettings, JSON.stringify({
      'workbench.startupEditor': 'none',
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'chat.disableAIFeatures': true,
      'git.autofetch': false,
      'workbench.tips.enabled': false,
      'extensions.ignoreRecommendations': true,
      'update.mode': 'none',
    }, null, 2));
  }
  const child = spawn(kit.node, args, {
    cwd: dataDir,
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, XDG_CONFIG_HOME: join(dataDir, 'xdg-config'), XDG_DATA_HOME: join(dataDir, 'xdg-data'), ...env },
  });
  const stop = stopper(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/`, child, logFile);
  } catch (err) {
    await stop();
    throw err;
  }
  return { kind, url, port, pid: child.pid, dataDir, logFile, stop };
}

/** Installs a .vsix into code-server's extensions folder (the same folders startServer({kind:'code-server'}) uses). */
export function installVsix(vsix, dataDir) {
  const kit = ensureKit();
  const r = spawnSync(kit.node, [kit.codeServerEntry, '--config', join(dataDir, 'config.yaml'), '--user-data-dir', join(dataDir, 'user'),
    '--extensions-dir', join(dataDir, 'ext'), '--install-extension', vsix, '--force'], {
    encoding: 'utf8', env: { ...process.env, XDG_CONFIG_HOME: join(dataDir, 'xdg-config'), XDG_DATA_HOME: join(dataDir, 'xdg-data') },
  });
  if (r.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Builds (production bundle) and packages the extension with vsce; returns the .vsix path. */
export function packageVsix(outFile = join(mkdtempSync(join(tmpdir(), 'autodev-vsix-')), 'autodev.vsix')) {
  const build = spawnSync(process.execPath, [join(repoRoot, 'scripts/build.mjs'), '--production'], { cwd: repoRoot, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
  const vsce = join(repoRoot, 'node_modules/@vscode/vsce/vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '-o', outFile], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vsce package failed:\n${r.stdout}\n${r.stderr}`);
  return outFile;
}

const git = (cwd, ...args) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/**
 * Copies examples/<name> into a temp folder, writes AutoDev settings for this machine (offline images, built-in
 * fixer, short verify window), makes it a git repo with one commit and a local bare remote `origin`.
 */
export function makeExampleWorkspace(name, opts = {}) {
  return makeWorkspace(name, (ws) => cpSync(join(repoRoot, 'examples', name), ws, { recursive: true }), opts);
}

/** The same, from a map of file name → text (for scenarios that are not examples, e.g. a memory hog). */
export function makeWorkspaceFromFiles(name, files, opts = {}) {
  return makeWorkspace(name, (ws) => {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(ws, file)), { recursive: true });
      writeFileSync(join(ws, file), text);
    }
  }, opts);
}

function makeWorkspace(name, fill, { settings = {}, bareRemote = true } = {}) {
  const root = mkdtempSync(join(tmpdir(), `autodev-ws-${name}-`));
  const ws = join(root, name);
  mkdirSync(ws, { recursive: true });
  fill(ws);
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  writeFileSync(join(ws, '.vscode/settings.json'), JSON.stringify({
    'autodev.runtime.pythonImage': 'autodev-offline/python:3.11',
    'autodev.runtime.nodeImage': 'autodev-offline/node:20',
    'autodev.model.provider': 'builtin',
    'autodev.verify.windowSeconds': 3,
    'autodev.git.autoCommit': true,
    'git.openRepositoryInParentFolders': 'never',
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': true,
    ...settings,
  }, null, 2));
  git(ws, 'init', '-q', '-b', 'main');
  git(ws, 'config', 'user.name', 'AutoDev Test');
  git(ws, 'config', 'user.email', 'test@autodev.invalid');
  // The settings file is local to this machine: keep it out of commits the way a developer would.
  writeFileSync(join(ws, '.git/info/exclude'), '.vscode/\n');
  git(ws, 'add', '-A');
  git(ws, 'commit', '-q', '-m', 'Initial commit');
  let remote = null;
  if (bareRemote) {
    remote = join(root, `${name}-remote.git`);
    git(root, 'init', '-q', '--bare', '-b', 'main', remote);
    git(ws, 'remote', 'add', 'origin', remote);
    git(ws, 'push', '-q', '-u', 'origin', 'main');
  }
  const cleanup = () => {
    removeWorkspaceContainers(ws);
    rmSync(root, { recursive: true, force: true });
  };
  return { root, dir: ws, remote, cleanup };
}

/**
 * Removes every AutoDev container and the image of a workspace (label autodev.workspace = the runtime's id). A server
 * stopped by signal may not get to run the extension's deactivate(); the runtime would reap these later as orphans,
 * but a test leaves nothing behind.
 */
export function removeWorkspaceContainers(dir) {
  let real = resolve(dir);
  try { real = realpathSync(real); } catch { /* already gone */ }
  const id = createHash('sha256').update(real).digest('hex').slice(0, 16);
  const ids = spawnSync('docker', ['ps', '-aq', '--filter', `label=autodev.workspace=${id}`], { encoding: 'utf8' }).stdout?.trim();
  if (ids) spawnSync('docker', ['rm', '-f', ...ids.split(/\s+/)], { stdio: 'ignore' });
  // The image built for this throwaway folder (tag autodev/<id>:latest) would otherwise pile up run after run.
  spawnSync('docker', ['rmi', '-f', `autodev/${id}:latest`], { stdio: 'ignore' });
}

/** Launches headless Debian Chromium through playwright-core. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
  });
}

/**
 * Runs the extension-host test suite (test/suite, bundled to out/suite/index.js) inside the real VS Code server
 * with the smoke-test driver. `grep` picks suites by title (`invert` leaves them out instead). Resolves with the
 * runner's exit code (0 = every test passed) and the suite's results.
 */
export async function runExtensionHostTests({ folder, trusted = true, grep, invert = false, label = trusted ? 'trusted' : 'untrusted', timeoutMs = 8 * 60_000, resultsDir, env = {} } = {}) {
  const testsEntry = join(repoRoot, 'out/suite/index.js');
  if (!existsSync(testsEntry)) throw new Error('out/suite/index.js is missing: run `node scripts/e2e-build-suite.mjs` first.');
  const dataDir = mkdtempSync(join(tmpdir(), 'autodev-exthost-'));
  const results = join(dataDir, 'suite-results.json');
  const server = await startServer({ kind: 'vscode', dataDir, trusted, env: { AUTODEV_SUITE_RESULTS: results, AUTODEV_SUITE_GREP: grep ?? '', AUTODEV_SUITE_GREP_INVERT: grep && invert ? '1' : '', ...env } });
  const browser = await launchChromium();
  const consoleLines = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    let done;
    const exited = new Promise((r) => (done = r));
    await page.exposeFunction('codeAutomationExit', (code) => done(code));
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = JSON.stringify([['extensionDevelopmentPath', remote(repoRoot)], ['extensionTestsPath', remote(testsEntry)]]);
    // The verdict is the runner's exit code, not how fast the page loads: on a busy machine the workbench can take
    // far longer than playwright's 30 s default to fire "load", so only the document is waited for, within the run's budget.
    await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(payload)}`, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
    let timer;
    const code = await Promise.race([exited, new Promise((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)))]);
    clearTimeout(timer);
    if (resultsDir) {
      mkdirSync(resultsDir, { recursive: true });
      await page.screenshot({ path: join(resultsDir, `exthost-${label}.png`) }).catch(() => {});
      writeFileSync(join(resultsDir, `exthost-${label}-console.log`), consoleLines.join('\n'));
    }
    const summary = existsSync(results) ? JSON.parse(readFileSync(results, 'utf8')) : null;
    return { code, summary, serverLog: server.logFile, console: consoleLines };
  } finally {
    await browser.close().catch(() => {});
    await server.stop();
  }
}
