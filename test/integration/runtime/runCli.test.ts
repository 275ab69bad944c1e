import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { workspaceIdFor } from '../../../src/core/runtime/dockerRuntime';
import { assertNoLeftovers, docker } from './runtimeHarness';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; interruptWhen?: RegExp } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...opts.env } });
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
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** AutoDev containers of a CLI process (a different pid from ours): found by the workspace label. */
async function containersOf(dir: string): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`autodev.workspace=${workspaceIdFor(dir)}`, 'autodev.role=main'] } });
  return list.map((c) => c.Id);
}

describe('autodev run (built CLI, real engine)', function () {
  this.timeout(180_000);

  before(() => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
  });
  afterEach(() => assertNoLeftovers());

  it("prints the app's traceback and exits with its non-zero code", async () => {
    const r = await runCli(['run', 'examples/python-divide', '--image', 'autodev-offline/python:3.11']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^bill: 120.00, people: 0$/m);
    assert.match(r.stderr, /Traceback \(most recent call last\):\n {2}File "\/app\/app.py"[\s\S]*ZeroDivisionError: float division by zero/);
    assert.doesNotMatch(r.stdout, /Traceback/, 'stderr lines go to stderr');
  });

  it('stops and removes the container on timeout, exiting 124', async () => {
    const dir = path.join(ROOT, 'examples/python-http-stats');
    const r = await runCli(['run', dir, '--image', 'autodev-offline/python:3.11', '--timeout-seconds', '2']);
    assert.equal(r.code, 124, r.stderr);
    assert.match(r.stdout, /order-stats listening on 0\.0\.0\.0:8000/);
    assert.match(r.stderr, /timeout after 2 s/);
    assert.deepEqual(await containersOf(dir), []);
  });

  it('stops and removes the container on Ctrl-C, exiting 130', async () => {
    const dir = path.join(ROOT, 'examples/node-http-typeerror');
    const r = await runCli(['run', dir, '--image', 'autodev-offline/node:20'], { interruptWhen: /user service listening/ });
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /interrupted: stopping the container/);
    assert.deepEqual(await containersOf(dir), []);
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
    assert.match(r.stderr, /No Docker engine answers at DOCKER_HOST=tcp:\/\/127\.0\.0\.1:1/);
  });
});
