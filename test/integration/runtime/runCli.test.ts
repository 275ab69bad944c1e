import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { workspaceIdFor } from '../../../src/core/runtime/dockerRuntime';
import { assertNoLeftovers, docker } from './runtimeHarness';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');

interface CliResult {
  pid: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ReturnType<typeof spawn>>();

function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; interruptWhen?: RegExp } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...opts.env } });
    children.add(child);
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    const check = () => {
      if (opts.interruptWhen && !interrupted && opts.interruptWhen.test(stdout + stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', (c) => ((stdout += c), check()));
    child.stderr.on('data', (c) => ((stderr += c), check()));
    child.on('close', (code) => {
      children.delete(child);
      resolve({ pid: child.pid!, code, stdout, stderr });
    });
  });
}

/** Containers a CLI process created for `dir` (owned by its pid, not ours). */
async function containersOf(pid: number, dir: string): Promise<string[]> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`autodev.owner.pid=${pid}`, `autodev.workspace=${workspaceIdFor(dir)}`] },
  });
  return list.map((c) => c.Id);
}

describe('autodev run (built CLI, real engine)', function () {
  this.timeout(180_000);

  before(() => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
  });
  afterEach(async () => {
    // A CLI that outlived a failed test is stopped the way a user would (Ctrl-C), so it removes its container.
    for (const child of children) child.kill('SIGINT');
    await assertNoLeftovers();
  });

  it("prints the app's traceback and exits with its non-zero code", async () => {
    const r = await runCli(['run', 'examples/python-divide', '--image', 'autodev-offline/python:3.11']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^bill: 120.00, people: 0$/m);
    assert.match(r.stderr, /Traceback \(most recent call last\):\n {2}File "\/app\/app.py"[\s\S]*ZeroDivisionError: float division by zero/);
    assert.doesNotMatch(r.stdout, /Traceback/, 'stderr lines go to stderr');
  });

  it("masks the workspace's .env values in what the app prints, as every other output of AutoDev", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'autodev-run-mask-'));
    try {
      writeFileSync(path.join(dir, '.env'), 'DB_PASSWORD=hunter2-Correct-Horse\n');
      writeFileSync(path.join(dir, 'app.py'), 'import sys\npw = open(".env").read().split("=", 1)[1].strip()\nprint("connecting with", pw)\nsys.exit("login refused for " + pw)\n');
      const r = await runCli(['run', dir, '--image', 'autodev-offline/python:3.11']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /^connecting with \[REDACTED:env-value\]$/m);
      assert.match(r.stderr, /^login refused for \[REDACTED:env-value\]$/m);
      assert.doesNotMatch(r.stdout + r.stderr, /hunter2/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops and removes the container on timeout, exiting 124', async () => {
    const dir = path.join(ROOT, 'examples/python-http-stats');
    // The timeout covers the build too: enough for a cached build and the app's first line on a loaded machine.
    const r = await runCli(['run', dir, '--image', 'autodev-offline/python:3.11', '--timeout-seconds', '25']);
    assert.equal(r.code, 124, r.stderr);
    assert.match(r.stdout, /order-stats listening on 0\.0\.0\.0:8000/);
    assert.match(r.stderr, /timeout after 25 s/);
    assert.deepEqual(await containersOf(r.pid, dir), []);
  });

  it('stops and removes the container on Ctrl-C, exiting 130', async () => {
    const dir = path.join(ROOT, 'examples/node-http-typeerror');
    const r = await runCli(['run', dir, '--image', 'autodev-offline/node:20'], { interruptWhen: /user service listening/ });
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /interrupted: stopping the container/);
    assert.deepEqual(await containersOf(r.pid, dir), []);
  });

  it('exits 2 with a usage message for a missing DIR or an unknown flag', async () => {
    const none = await runCli(['run']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /run needs exactly one DIR/);
    const flag = await runCli(['run', 'examples/python-divide', '--bogus']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown flag --bogus/);
  });

  it('exits 2 naming DOCKER_HOST when no engine answers', async () => {
    const r = await runCli(['run', 'examples/python-divide'], { env: { DOCKER_HOST: 'tcp://127.0.0.1:1' } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /No Docker engine answers at tcp:\/\/127\.0\.0\.1:1 \(DOCKER_HOST\)/);
  });

  it('reaches an ssh:// engine through the SSH transport bundled apart (dist/ssh.js): it speaks SSH to the host', async () => {
    // Not an sshd: a socket that records what the client sends and closes. An SSH client opens with its banner.
    const got: Buffer[] = [];
    const server = net.createServer((sock) => {
      sock.on('data', (d) => {
        got.push(d);
        sock.destroy();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const r = await runCli(['run', 'examples/python-divide'], { env: { DOCKER_HOST: `ssh://autodev@127.0.0.1:${port}` } });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`No Docker engine answers at ssh://autodev@127\\.0\\.0\\.1:${port} \\(DOCKER_HOST\\)`));
      assert.match(Buffer.concat(got).toString('latin1'), /^SSH-2\.0-/, 'the SSH client (ssh2 from dist/ssh.js) opened the conversation');
    } finally {
      server.close();
    }
  });
});
