import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import { createProvider } from '../../../src/core/agent/providers';
import type { ContainerSession } from '../../../src/core/runtime/containerRuntime';
import { DockerRuntime, imageTagFor, workspaceIdFor } from '../../../src/core/runtime/dockerRuntime';
import { startFakeLlm, type FakeLlm } from '../../support/fakeLlmServer';
import { secondEngineHost } from '../../support/secondEngine';
import { editingModel, exampleRepo, git, httpGet, makeSession } from '../heal/healTestKit';
import { TEST_SETTINGS, watch, Workspaces } from './runtimeHarness';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

/**
 * A remote engine, for real: a second dockerd on tcp://127.0.0.1 with its own data-root (scripts/docker-second.sh).
 * It shares no files with this process by contract: AutoDev treats every non-socket engine as unable to see them.
 */
describe('a remote Docker engine (second dockerd over TCP)', function () {
  this.timeout(300_000);
  let host: string;
  let engine: Docker;
  const workspaces = new Workspaces();
  const sessions: ContainerSession[] = [];

  before(async () => {
    host = await secondEngineHost();
    engine = new Docker({ host: '127.0.0.1', port: Number(new URL(host).port), protocol: 'http' });
  });
  after(async () => {
    for (const s of sessions) await s.stop().catch(() => undefined);
    for (const dir of workspaces['dirs'] as string[]) await engine.getImage(imageTagFor(dir)).remove({ force: true }).catch(() => undefined);
    await workspaces.cleanup();
    const left = await engine.listContainers({ all: true, filters: { label: [`autodev.owner.pid=${process.pid}`] } });
    assert.deepEqual(left.map((c) => c.Id), [], 'containers left on the second engine');
  });

  it('runs the app with no mounts from this machine, the source copied in (.dockerignore honoured), and copies a changed file before a restart', async () => {
    const runtime = new DockerRuntime({ dockerHost: host });
    assert.equal(runtime.engine.remote, true);
    assert.match(runtime.engine.label, /^Docker tcp:\/\/127\.0\.0\.1:\d+/);
    const app = [
      'import os',
      'print("msg:", open("msg.txt").read().strip(), flush=True)',
      'print("secret there:", os.path.exists("secret.txt"), flush=True)',
      'raise SystemExit(3)',
    ].join('\n');
    const dir = workspaces.make({ 'app.py': app, 'msg.txt': 'one\n', 'secret.txt': 'hunter2\n', '.dockerignore': 'secret.txt\n' });
    const image = await runtime.buildImage(dir, TEST_SETTINGS);
    const session = await runtime.start(image, { sourceDir: dir, role: 'main', workspaceId: workspaceIdFor(dir), settings: TEST_SETTINGS });
    sessions.push(session);
    const w = watch(session);
    assert.equal((await w.nextExit()).exitCode, 3);
    const info = await engine.getContainer(session.id).inspect();
    assert.deepEqual(info.Mounts, [], 'no mounts at all');
    assert.ok(!info.HostConfig.Binds?.length, `no bind mounts: ${info.HostConfig.Binds}`);
    assert.ok(w.lines.some((l) => l.text === 'msg: one'), w.lines.map((l) => l.text).join('\n'));
    assert.ok(w.lines.some((l) => l.text === 'secret there: False'), 'the .dockerignore\'d file never reached the engine');

    writeFileSync(path.join(dir, 'msg.txt'), 'two\n');
    await session.restart();
    assert.equal((await w.nextExit()).exitCode, 3);
    assert.ok(w.lines.some((l) => l.text === 'msg: two'), 'the restarted app sees the changed file');
    assert.ok(w.lines.some((l) => l.stream === 'system' && /copied 1 changed file into the container \(msg\.txt\)/.test(l.text)), w.lines.map((l) => l.text).join('\n'));
    // The main engine never saw this container.
    await assert.rejects(new Docker().getContainer(session.id).inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
  });

  it('runs a verify command in the container through the same engine', async () => {
    const runtime = new DockerRuntime({ dockerHost: host });
    const dir = workspaces.make({ 'app.py': 'import time\nprint("up", flush=True)\ntime.sleep(60)\n', 'data.txt': 'copied\n' });
    const image = await runtime.buildImage(dir, TEST_SETTINGS);
    const session = await runtime.start(image, { sourceDir: dir, role: 'scratch', workspaceId: workspaceIdFor(dir), settings: TEST_SETTINGS });
    sessions.push(session);
    await watch(session).waitForLine(/^up$/);
    const r = await (session as ContainerSession & { exec(cmd: string[], o: object): Promise<{ exitCode: number | null; output: string }> }).exec(['sh', '-c', 'cat data.txt; exit 5'], { timeoutMs: 30_000 });
    assert.equal(r.exitCode, 5);
    assert.match(r.output, /copied/);
  });

  it('autodev clean --docker-host lists and removes what AutoDev made on that engine, and only there', async () => {
    const runtime = new DockerRuntime({ dockerHost: host });
    const dir = workspaces.make({ 'app.py': 'print("hi")\n' });
    await runtime.buildImage(dir, TEST_SETTINGS);
    const tag = imageTagFor(dir);
    const cli = (args: string[]) => {
      const r = spawnSync(process.execPath, [CLI, 'clean', dir, '--json', ...args], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: '' } });
      return { code: r.status, lines: r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; type?: string; id?: string }) };
    };
    const local = cli(['--dry-run']);
    assert.equal(local.code, 0);
    assert.deepEqual(local.lines.filter((l) => l.kind === 'leftover'), [], 'the main engine has nothing of this workspace');
    const listed = cli(['--dry-run', '--docker-host', host]);
    assert.deepEqual(listed.lines.filter((l) => l.kind === 'leftover').map((l) => l.type), ['image']);
    await engine.getImage(tag).inspect();
    const cleaned = cli(['--docker-host', host]);
    assert.equal(cleaned.code, 0, JSON.stringify(cleaned.lines));
    assert.deepEqual(cleaned.lines.at(-1), { kind: 'done', removed: 1, failed: 0 });
    await assert.rejects(engine.getImage(tag).inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
  });

  describe('the heal loop', () => {
    let fake: FakeLlm | null = null;
    afterEach(async () => {
      await fake?.close();
      fake = null;
    });

    it('heals GET /stats end to end on the second engine: replayed, verified in a scratch container there, patched by copy + restart, committed', async () => {
      const dir = exampleRepo('python-http-stats');
      const STATS_FIX = { path: 'app.py', old_text: '    return sum(o["amount"] for o in orders) / len(orders)', new_text: '    return sum(o["amount"] for o in orders) / len(orders) if orders else 0.0' };
      fake = await startFakeLlm(editingModel(() => STATS_FIX));
      const provider = createProvider({ kind: 'openai', preset: 'custom', baseUrl: fake.url, model: 'fake-model', apiKey: 'sk-test-key-000000000000000000', timeoutMs: 20_000 });
      const runtime = new DockerRuntime({ dockerHost: host });
      const h = makeSession(dir, provider, { containerRuntime: runtime });
      const seen: string[] = [];
      const byRole = new Map<string, string[]>();
      const poll = setInterval(() => {
        void engine.listContainers({ all: true, filters: { label: [`autodev.owner.pid=${process.pid}`] } }).then((list) => {
          for (const c of list) {
            if (seen.includes(c.Id)) continue;
            seen.push(c.Id);
            const role = c.Labels['autodev.role'];
            byRole.set(role, [...(byRole.get(role) ?? []), c.Id]);
            // Every container of the loop — main and scratch — must have no mounts from this machine.
            assert.deepEqual(c.Mounts, [], `${role} container ${c.Id.slice(0, 12)} has mounts`);
          }
        }, () => undefined);
      }, 200);
      try {
        await h.session.deploy();
        const { url } = await h.waitFor('proxy');
        assert.equal(await httpGet(`${url}/stats`), 500);
        const done = await h.waitFor('done', undefined, 200_000);
        assert.equal(done.healed, true, done.reason);
        const r = done.reproducer!;
        assert.deepEqual({ kind: r.kind, description: r.description, before: r.before, after: r.after, reproduced: r.reproduced }, { kind: 'http', description: 'GET /stats', before: '500', after: '200', reproduced: true });
        assert.match(git(dir, 'log', '-1', '--format=%s'), /^🩹 Auto-fix: ZeroDivisionError in app\.py:\d+$/);
        assert.equal(await httpGet(`${url}/stats`), 200, 'the live app on the remote engine is healed');
        const logs = h.events.filter((e) => e.kind === 'log').map((e) => (e as { line: { text: string } }).line.text);
        assert.ok(logs.some((t) => /copied 1 changed file into the container \(app\.py\)/.test(t)), 'the patch reached the remote app by copy');
        assert.ok(byRole.get('scratch')?.length, 'the scratch verification ran on the second engine');
        assert.ok(byRole.get('main')?.length, 'the app ran on the second engine');
      } finally {
        clearInterval(poll);
        await h.dispose();
        await engine.getImage(imageTagFor(dir)).remove({ force: true }).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
