import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { ContainerSession } from '../../../src/core/runtime/containerRuntime';
import { DockerRuntime, workspaceIdFor } from '../../../src/core/runtime/dockerRuntime';
import { assertNoLeftovers, TEST_SETTINGS, watch } from './runtimeHarness';

const EXAMPLES = path.resolve(__dirname, '../../../examples');

describe('examples crash for real in the offline images', function () {
  this.timeout(120_000);
  const runtime = new DockerRuntime();
  let sessions: ContainerSession[] = [];

  async function deploy(name: string) {
    const dir = path.join(EXAMPLES, name);
    const image = await runtime.buildImage(dir, TEST_SETTINGS);
    const session = await runtime.start(image, { sourceDir: dir, role: 'main', workspaceId: workspaceIdFor(dir), settings: TEST_SETTINGS });
    sessions.push(session);
    return { image, session, w: watch(session) };
  }

  afterEach(async () => {
    for (const s of sessions) await s.stop();
    sessions = [];
    await assertNoLeftovers();
  });
  // Example images are left in place: other suites deploy the same examples (same deterministic tags).

  const stderrText = (w: ReturnType<typeof watch>) => w.lines.filter((l) => l.stream === 'stderr').map((l) => l.text).join('\n');

  it('python-divide: ZeroDivisionError at start, exit 1, trace names /app/app.py', async () => {
    const { w } = await deploy('python-divide');
    const exit = await w.nextExit();
    assert.equal(exit.exitCode, 1);
    assert.match(stderrText(w), /File "\/app\/app.py", line 6, in share[\s\S]*ZeroDivisionError: float division by zero/);
  });

  it('python-worker-keyerror: KeyError on the job without a payload, exit 1', async () => {
    const { w } = await deploy('python-worker-keyerror');
    const exit = await w.nextExit();
    assert.equal(exit.exitCode, 1);
    assert.ok(w.lines.some((l) => l.stream === 'stdout' && l.text === 'job 2: resize to 1280x720'));
    assert.match(stderrText(w), /File "\/app\/main.py", line \d+, in process[\s\S]*KeyError: 'payload'/);
  });

  it('python-missing-module: ModuleNotFoundError for requests, exit 1', async () => {
    const { w } = await deploy('python-missing-module');
    const exit = await w.nextExit();
    assert.equal(exit.exitCode, 1);
    assert.match(stderrText(w), /ModuleNotFoundError: No module named 'requests'/);
  });

  it('python-http-stats: GET /stats answers 500 with the traceback logged, POST /orders too, and the service keeps running', async () => {
    const { session, w, image } = await deploy('python-http-stats');
    assert.deepEqual(image.ports, [8000]);
    await w.waitForLine(/listening on 0\.0\.0\.0:8000/);
    const base = `http://127.0.0.1:${session.publishedPorts.get(8000)}`;
    assert.equal((await fetch(`${base}/health`)).status, 200);
    assert.equal((await fetch(`${base}/`)).status, 200);
    assert.equal((await fetch(`${base}/stats`)).status, 500);
    await w.waitForLine(/^ZeroDivisionError: division by zero$/);
    assert.match(stderrText(w), /Traceback \(most recent call last\):[\s\S]*File "\/app\/app.py", line \d+, in average_order_value/);
    const post = await fetch(`${base}/orders`, { method: 'POST', body: JSON.stringify({ amount: 10, items: [] }), headers: { 'content-type': 'application/json' } });
    assert.equal(post.status, 500);
    await w.waitForLine(/^ZeroDivisionError: float division by zero$/);
    assert.equal((await fetch(`${base}/health`)).status, 200);
    assert.equal(session.running, true);
    assert.equal(w.exits.length, 0);
  });

  it('node-http-typeerror: GET /user/42 crashes the process with an uncaught TypeError', async () => {
    const { session, w, image } = await deploy('node-http-typeerror');
    assert.deepEqual(image.cmd, ['node', 'server.js']);
    await w.waitForLine(/listening on 0\.0\.0\.0:3000/);
    const base = `http://127.0.0.1:${session.publishedPorts.get(3000)}`;
    assert.equal((await fetch(`${base}/health`)).status, 200);
    const exited = w.nextExit();
    await fetch(`${base}/user/42`).catch(() => undefined); // the connection dies with the process
    const exit = await exited;
    assert.equal(exit.exitCode, 1);
    assert.match(stderrText(w), /TypeError: Cannot read properties of undefined \(reading 'name'\)\n\s+at userSummary \(\/app\/server.js:\d+:\d+\)/);
  });
});
