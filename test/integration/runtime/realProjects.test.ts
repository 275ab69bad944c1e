/**
 * Shapes of real small projects deployed through the real engine: an app folder in a monorepo, a server on a port
 * nobody declared, a multi-stage Dockerfile whose artifact must survive, build progress and build errors, a
 * program that wants input, entry candidates, --image refusal and the cleanup.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BuiltinFixer } from '../../../src/core/agent/builtinFixer';
import { isAutoDevError } from '../../../src/core/errors';
import type { BuildEvent, ContainerSession } from '../../../src/core/runtime/containerRuntime';
import { DockerRuntime, imageTagFor, workspaceIdFor } from '../../../src/core/runtime/dockerRuntime';
import { replayStatePath, writeReplayState } from '../../../src/core/replay/replayStateFile';
import { createProvider } from '../../../src/core/agent/providers';
import { startFakeLlm, type FakeLlm } from '../../support/fakeLlmServer';
import { editingModel, exampleRepo, git, makeSession, type Harness } from '../heal/healTestKit';
import { assertNoLeftovers, docker, TEST_SETTINGS, watch } from './runtimeHarness';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const SETTINGS = { ...TEST_SETTINGS, memoryMb: 256 };

function cli(args: string[], stdin?: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, AUTODEV_PYTHON_IMAGE: TEST_SETTINGS.pythonImage, AUTODEV_NODE_IMAGE: TEST_SETTINGS.nodeImage, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    if (stdin !== undefined) {
      // Typed a moment after start, as a person would; the container's stdin stays open.
      setTimeout(() => child.stdin.write(stdin), 1500);
    }
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function copyExample(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `autodev-real-${name}-`));
  cpSync(path.join(ROOT, 'examples', name), dir, { recursive: true });
  spawnSync('chmod', ['-R', 'a+rX', dir]);
  return dir;
}

async function workspaceImages(dir: string): Promise<string[]> {
  const list = await docker.listImages({ filters: { label: [`autodev.workspace=${workspaceIdFor(dir)}`] } } as object);
  return list.map((i) => i.Id);
}

describe('real project shapes (real engine)', function () {
  this.timeout(300_000);
  const dirs: string[] = [];
  const harnesses: Harness[] = [];
  const sessions: ContainerSession[] = [];
  const runtime = new DockerRuntime();
  let fake: FakeLlm | null = null;

  before(() => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
  });
  afterEach(async () => {
    await fake?.close();
    fake = null;
    for (const h of harnesses.splice(0)) await h.dispose();
    for (const s of sessions.splice(0)) await s.stop();
    await assertNoLeftovers();
  });
  after(async () => {
    for (const dir of dirs) {
      for (const id of await workspaceImages(dir).catch(() => [])) await docker.getImage(id).remove({ force: true }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** A git copy of examples/<name> deployed by a heal session with the built-in fixer (offline images). */
  async function deployExample(name: string): Promise<{ dir: string; h: Harness }> {
    const dir = exampleRepo(name);
    dirs.push(dir);
    const h = makeSession(dir, new BuiltinFixer(), { runtime: { ...SETTINGS } });
    harnesses.push(h);
    await h.session.deploy();
    return { dir, h };
  }

  it("deploys a monorepo's app folder and keeps crash paths and the commit relative to the repository root", async () => {
    const { dir, h } = await deployExample('monorepo-api');
    const crash = await h.waitFor('crash');
    assert.equal(crash.crash.userFrame?.workspaceFile, 'services/api/app.py');
    const done = await h.waitFor('done');
    assert.equal(done.healed, true, done.reason);
    assert.equal(git(dir, 'show', '--name-only', '--format=', 'HEAD'), 'services/api/app.py');
  });

  it('finds the port a server really listens on (8765, declared nowhere), publishes it and proxies to it', async () => {
    const { h } = await deployExample('python-port-8765');
    const proxy = await h.waitFor('proxy');
    assert.equal(proxy.containerPort, 8765);
    const res = await fetch(proxy.url);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'hello from port 8765\n');
    assert.ok(h.events.some((e) => e.kind === 'log' && /listens on port 8765, which was not published/.test(e.line.text)));
  });

  it('says how to fix an app that listens only on 127.0.0.1 inside its container (nothing outside can reach it)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'autodev-real-loopback-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'server.py'), 'from http.server import HTTPServer, SimpleHTTPRequestHandler\nprint("up", flush=True)\nHTTPServer(("127.0.0.1", 8123), SimpleHTTPRequestHandler).serve_forever()\n');
    spawnSync('chmod', ['-R', 'a+rX', dir]);
    const image = await runtime.buildImage(dir, SETTINGS);
    const session = await runtime.start(image, { sourceDir: dir, role: 'main', workspaceId: workspaceIdFor(dir), settings: SETTINGS });
    sessions.push(session);
    const w = watch(session);
    await w.waitForLine(/^up$/);
    assert.equal(await session.appPort(15_000), null);
    const advice = await w.waitForLine(/listens on 127\.0\.0\.1:8123 inside the container/);
    assert.equal(advice.stream, 'system');
    assert.match(advice.text, /make it listen on 0\.0\.0\.0/);
  });

  it('keeps the artifact a multi-stage Dockerfile builds, and runs an edit by rebuilding', async () => {
    const dir = copyExample('compiled-zipapp');
    dirs.push(dir);
    const image = await runtime.buildImage(dir, SETTINGS);
    assert.equal(image.mountSource, false);
    const session = await runtime.start(image, { sourceDir: dir, role: 'main', workspaceId: workspaceIdFor(dir), settings: SETTINGS });
    sessions.push(session);
    const w = watch(session);
    await w.waitForLine(/artifact build 1 running/);
    const exit = await w.nextExit();
    assert.equal(exit.exitCode, 1, 'the artifact ran (127 would mean a mount hid it)');
    writeFileSync(path.join(dir, 'app/server.py'), readFileSync(path.join(dir, 'app/server.py'), 'utf8').replace('build 1', 'build 2').replace('sum(scores) / len(scores)', '0'));
    await session.restart();
    await w.waitForLine(/artifact build 2 running/);
    assert.equal((await w.nextExit()).exitCode, 0);
    assert.equal((await workspaceImages(dir)).length, 1, 'the rebuild replaced the older image');
  });

  it('heals a multi-stage Dockerfile app by rebuilding: verified in a rebuilt scratch image, applied by a rebuild, committed', async () => {
    const fix = { path: 'app/server.py', old_text: 'sum(scores) / len(scores)', new_text: '(sum(scores) / len(scores) if scores else 0.0)' };
    fake = await startFakeLlm(editingModel(() => fix));
    const dir = exampleRepo('compiled-zipapp');
    dirs.push(dir);
    const provider = createProvider({ kind: 'openai', preset: 'custom', baseUrl: fake.url, model: 'fake-model', apiKey: 'sk-test-key-000000000000000000', timeoutMs: 20_000 });
    const h = makeSession(dir, provider, { runtime: { ...SETTINGS } });
    harnesses.push(h);
    await h.session.deploy();
    await h.waitFor('crash', (e) => e.crash.type === 'ZeroDivisionError');
    const done = await h.waitFor('done', undefined, 240_000);
    assert.equal(done.healed, true, done.reason);
    assert.equal(git(dir, 'show', '--name-only', '--format=', 'HEAD'), 'app/server.py');
    assert.ok(h.events.some((e) => e.kind === 'log' && /rebuilding the image with the changed files/.test(e.line.text)), 'the fix reached the app through a rebuild');
    assert.ok(h.events.some((e) => e.kind === 'log' && /mean score 0\.0/.test(e.line.text)), 'the rebuilt app ran the fix');
  });

  it('streams build steps as they happen and names the failing step by its first error line, without escape codes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'autodev-real-buildfail-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${TEST_SETTINGS.pythonImage}\nRUN echo preparing\nRUN printf 'compiling widget.c\\n\\033[31merror: widget.c:3: expected ;\\033[0m\\nmake: *** [all] Error 1\\n' && exit 2\n`);
    const events: BuildEvent[] = [];
    await assert.rejects(runtime.buildImage(dir, SETTINGS, (e) => events.push(e)), (err) => {
      assert.ok(isAutoDevError(err, 'BuildFailed'), String(err));
      // Docker appends AutoDev's LABEL instructions as steps of their own, hence "3/n".
      assert.match(err.message, /step 3\/\d+ \(RUN printf .*\) failed with exit code 2: error: widget\.c:3: expected ;/);
      assert.doesNotMatch(err.message + (err.detail ?? ''), /\x1b/);
      return true;
    });
    assert.deepEqual(events.filter((e) => e.kind === 'step').map((e) => (e as { index: number }).index).slice(0, 3), [1, 2, 3]);
    assert.ok(events.every((e) => !('text' in e) || !/\x1b/.test(e.text)));
    // The CLI: exit 2, and --json still ends with `done`.
    const r = await cli(['heal', dir, '--json']);
    assert.equal(r.code, 2, r.stderr);
    const last = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(last.kind, 'done');
    assert.equal(last.exitCode, 2);
    assert.doesNotMatch(r.stdout, /\\u001b|\x1b/);
  });

  it("blames a failed npm install on npm's own first error line, not on a missing npm", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'autodev-real-express-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'hello', scripts: { start: 'node index.js' }, dependencies: { express: '^4.19.2' } }));
    writeFileSync(path.join(dir, 'index.js'), 'require("express")().listen(3000);\n');
    spawnSync('chmod', ['-R', 'a+rX', dir]);
    // Whatever stops npm here (no registry from containers on this machine), the message quotes npm, not a guess.
    await assert.rejects(runtime.buildImage(dir, SETTINGS), (err) => {
      assert.ok(isAutoDevError(err, 'BuildFailed'), String(err));
      assert.match(err.message, /^Installing the app's dependencies with npm failed while building .*: npm (?:error|ERR!) /);
      assert.doesNotMatch(err.message, /has no npm|A complete log|\x1b/);
      return true;
    });
  });

  it('reports a program that wants input as needing input (exit 3, never sent to the fixer), and runs it with --interactive', async () => {
    const dir = copyExample('python-text-game');
    dirs.push(dir);
    const healed = await cli(['heal', dir, '--json']);
    assert.equal(healed.code, 3, healed.stderr);
    const events = healed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; nothingToHeal?: string });
    assert.equal(events[events.length - 1].kind, 'done');
    assert.equal(events[events.length - 1].nothingToHeal, 'needs-input');
    assert.ok(!events.some((e) => e.kind === 'model/request' || e.kind === 'fix'), 'nothing went to the fixer');
    const played = await cli(['run', dir, '--interactive'], 'north\n');
    assert.equal(played.code, 0, played.stderr);
    assert.match(played.stdout, /You walk north and find a cold cave with a sleeping dragon\./);
  });

  it('lists entry candidates with the flag to pass, runs the one chosen, and refuses --image for a Dockerfile app', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'autodev-real-entries-'));
    dirs.push(dir);
    cpSync(path.join(ROOT, 'examples/python-divide'), path.join(dir, 'api'), { recursive: true });
    cpSync(path.join(ROOT, 'examples/node-server-no-package'), path.join(dir, 'web'), { recursive: true });
    spawnSync('chmod', ['-R', 'a+rX', dir]);
    const several = await cli(['run', dir]);
    assert.equal(several.code, 2);
    assert.match(several.stderr, /--entry api\/app\.py/);
    assert.match(several.stderr, /--entry web\/server\.js/);
    const chosen = await cli(['run', dir, '--entry', 'api/app.py']);
    assert.equal(chosen.code, 1, chosen.stderr);
    assert.match(chosen.stderr, /ZeroDivisionError/);
    const refused = await cli(['run', path.join(ROOT, 'examples/compiled-zipapp'), '--image', 'python:3.12']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--image python:3\.12 does not apply: Dockerfile names its own base images/);
  });

  it('autodev clean DIR lists and removes the images and replay file AutoDev made for that workspace', async () => {
    const dir = copyExample('python-divide');
    dirs.push(dir);
    await runtime.buildImage(dir, SETTINGS);
    // A replay file left by a heal that has exited, in a temp folder of this test's own: any build on the machine
    // removes such files from the shared one.
    const tmp = mkdtempSync(path.join(tmpdir(), 'autodev-real-tmp-'));
    dirs.push(tmp);
    const shared = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    const replayFile = replayStatePath(dir);
    await writeReplayState(dir, { pid: 2 ** 22 + 1, proxyUrl: null, containerPort: 8000, updatedAt: Date.now(), exchanges: [] });
    if (shared === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = shared;
    const env = { TMPDIR: tmp };
    const listed = await cli(['clean', dir, '--dry-run', '--json'], undefined, env);
    assert.equal(listed.code, 0, listed.stderr);
    const items = listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; type?: string; description?: string });
    assert.deepEqual(items.filter((i) => i.kind === 'leftover').map((i) => i.type).sort(), ['image', 'replay file']);
    assert.ok(existsSync(replayFile));
    const cleaned = await cli(['clean', dir], undefined, env);
    assert.equal(cleaned.code, 0, cleaned.stderr);
    assert.match(cleaned.stdout, new RegExp(`removed image ${imageTagFor(dir).replace(/[/.]/g, '\\$&')}`));
    assert.deepEqual(await workspaceImages(dir), []);
    assert.equal(existsSync(replayFile), false);
  });
});
