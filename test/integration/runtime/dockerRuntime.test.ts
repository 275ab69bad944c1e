import * as assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { isAutoDevError } from '../../../src/core/errors';
import type { BuildEvent } from '../../../src/core/runtime/containerRuntime';
import { LABEL } from '../../../src/core/runtime/containerOwner';
import { DockerRuntime, workspaceIdFor } from '../../../src/core/runtime/dockerRuntime';
import { assertNoLeftovers, docker, Sessions, TEST_SETTINGS, watch, Workspaces } from './runtimeHarness';

describe('DockerRuntime (real engine)', function () {
  this.timeout(180_000);
  const runtime = new DockerRuntime();
  const workspaces = new Workspaces();
  const sessions = new Sessions();

  async function deploy(files: Record<string, string>, settings = TEST_SETTINGS) {
    const dir = workspaces.make(files);
    const image = await runtime.buildImage(dir, settings);
    const session = await runtime.start(image, { sourceDir: dir, role: 'main', workspaceId: workspaceIdFor(dir), settings });
    sessions.add(session);
    return { dir, image, session };
  }

  before(() => runtime.ping());
  afterEach(() => sessions.stopAll());
  after(() => workspaces.cleanup());

  it('delivers 50k lines complete and in order, long lines (> 16 KiB) included, tagged by stream', async () => {
    const app = [
      'import sys',
      'for i in range(50000):',
      '    if i % 5000 == 0:',
      '        print(f"long {i} " + "x" * 40000)',
      '    else:',
      '        print(f"out {i}")',
      '    if i % 10000 == 0:',
      '        print(f"err {i}", file=sys.stderr)',
      'sys.exit(3)',
    ].join('\n');
    const { session } = await deploy({ 'app.py': app });
    const w = watch(session);
    const exit = await w.nextExit();
    assert.equal(exit.exitCode, 3);
    assert.equal(exit.oomKilled, false);
    const out = w.lines.filter((l) => l.stream === 'stdout');
    assert.equal(out.length, 50000);
    out.forEach((l, i) => {
      if (i % 5000 === 0) assert.equal(l.text, `long ${i} ` + 'x'.repeat(40000), `line ${i}`);
      else assert.equal(l.text, `out ${i}`);
    });
    assert.deepEqual(
      w.lines.filter((l) => l.stream === 'stderr').map((l) => l.text),
      ['err 0', 'err 10000', 'err 20000', 'err 30000', 'err 40000'],
    );
    const seqs = w.lines.map((l) => l.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
  });

  it('marks a line over 64 KiB as truncated and keeps the following lines', async () => {
    const { session } = await deploy({ 'app.py': 'print("y" * 100000)\nprint("after")\n' });
    const w = watch(session);
    await w.nextExit();
    assert.equal(w.lines[0].text.length, 64 * 1024);
    assert.equal(w.lines[0].truncated, true);
    assert.equal(w.lines[1].text, 'after');
  });

  it('reports an app that allocates past the memory limit as OOM-killed', async () => {
    const app = 'chunks = []\nwhile True:\n    chunks.append(b"x" * (8 * 1024 * 1024))\n';
    const { session } = await deploy({ 'app.py': app }, { ...TEST_SETTINGS, memoryMb: 64 });
    const exit = await watch(session).nextExit();
    assert.equal(exit.oomKilled, true);
    assert.equal(exit.memoryLimitMb, 64);
    assert.equal(exit.exitCode, 137);
  });

  it('runs hardened: caps dropped, no-new-privileges, init, limits, loopback ports, labels, explicit env only', async () => {
    process.env.AUTODEV_HOST_SECRET_FOR_TEST = 'must-not-leak';
    try {
      const settings = { ...TEST_SETTINGS, memoryMb: 128, cpus: 0.5, pidsLimit: 64, env: { GREETING: 'hi' } };
      const { session, dir } = await deploy({ 'app.py': 'import time\nprint("up", flush=True)\ntime.sleep(60)\n' }, settings);
      await watch(session).waitForLine(/^up$/);
      const info = await docker.getContainer(session.id).inspect();
      const hc = info.HostConfig;
      assert.deepEqual(hc.CapDrop, ['ALL']);
      assert.deepEqual(hc.SecurityOpt, ['no-new-privileges']);
      assert.equal(hc.Init, true);
      assert.equal(hc.Memory, 128 * 1048576);
      assert.equal(hc.MemorySwap, 128 * 1048576);
      assert.equal(hc.NanoCpus, 0.5e9);
      assert.equal(hc.PidsLimit, 64);
      assert.equal(hc.Privileged, false);
      // The workspace read-write; mount points for an absent .git and .vscode read-only on top; as its owner.
      const mounts = (hc.Mounts ?? []).map((m) => `${m.Source}:${m.Target}:${m.ReadOnly ? 'ro' : 'rw'}`).sort();
      assert.deepEqual(mounts, [`${dir}:/app:rw`, `${dir}/.git:/app/.git:ro`, `${dir}/.vscode:/app/.vscode:ro`].sort());
      const st = statSync(dir);
      assert.equal(info.Config.User, `${st.uid}:${st.gid}`);
      assert.equal(hc.PortBindings['8000/tcp'][0].HostIp, '127.0.0.1');
      assert.equal(info.Config.Tty, false);
      assert.equal(info.Config.Labels[LABEL.autodev], '1');
      assert.equal(info.Config.Labels[LABEL.role], 'main');
      assert.equal(info.Config.Labels[LABEL.workspace], workspaceIdFor(dir));
      assert.equal(info.Config.Labels[LABEL.ownerPid], String(process.pid));
      assert.ok(info.Config.Env.includes('GREETING=hi'));
      assert.ok(info.Config.Env.includes('PYTHONUNBUFFERED=1'));
      assert.ok(!info.Config.Env.some((e) => e.includes('must-not-leak')), 'host environment leaked');
      const hostPort = session.publishedPorts.get(8000);
      assert.ok(hostPort && hostPort > 0);
      assert.equal(info.NetworkSettings.Ports['8000/tcp'][0].HostIp, '127.0.0.1');
    } finally {
      delete process.env.AUTODEV_HOST_SECRET_FOR_TEST;
    }
  });

  it("caps a CPU limit above the engine's CPUs instead of failing the start", async () => {
    const { session } = await deploy({ 'app.py': 'print("ok")\n' }, { ...TEST_SETTINGS, cpus: 4096 });
    const ncpu = (await docker.info()).NCPU as number;
    assert.equal((await docker.getContainer(session.id).inspect()).HostConfig.NanoCpus, ncpu * 1e9);
    assert.equal((await watch(session).nextExit()).exitCode, 0);
  });

  it('restarts the same container and picks up a source edit without a rebuild', async () => {
    const { session, dir } = await deploy({ 'app.py': 'import message\nprint(message.TEXT)\n', 'message.py': 'TEXT = "before the fix"\n' });
    const w = watch(session);
    const first = await w.nextExit();
    assert.equal(first.exitCode, 0);
    const imageBefore = (await docker.getContainer(session.id).inspect()).Image;
    writeFileSync(path.join(dir, 'message.py'), 'TEXT = "after the fix"\n');
    const again = w.nextExit();
    await session.restart();
    await again;
    assert.deepEqual(w.lines.map((l) => l.text), ['before the fix', 'after the fix']);
    const info = await docker.getContainer(session.id).inspect();
    assert.equal(info.Image, imageBefore);
    assert.equal(w.exits.length, 2);
  });

  it('restarts a running service: no exit reported for our own stop, host ports read again', async () => {
    // "serving" is printed once the socket listens, so a request right after it cannot be refused.
    const app = 'import http.server, os\ns = http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), http.server.SimpleHTTPRequestHandler)\nprint("serving", flush=True)\ns.serve_forever()\n';
    const { session, dir } = await deploy({ 'app.py': app, 'hello.txt': 'v1' });
    const w = watch(session);
    await w.waitForLine(/serving/);
    assert.equal(await (await fetch(`http://127.0.0.1:${session.publishedPorts.get(8000)}/hello.txt`)).text(), 'v1');
    writeFileSync(path.join(dir, 'hello.txt'), 'v2');
    await session.restart();
    await new Promise<void>((resolve) => {
      const check = () => (w.lines.filter((l) => l.text === 'serving').length === 2 ? resolve() : setTimeout(check, 50));
      check();
    });
    assert.equal(await (await fetch(`http://127.0.0.1:${session.publishedPorts.get(8000)}/hello.txt`)).text(), 'v2');
    assert.equal(w.exits.length, 0);
    assert.equal(session.running, true);
  });

  it('cancels a build when its signal aborts', async () => {
    const dir = workspaces.make({ Dockerfile: 'FROM autodev-offline/python:3.11\nRUN sleep 60\n' });
    const controller = new AbortController();
    const events: BuildEvent[] = [];
    const build = runtime.buildImage(dir, TEST_SETTINGS, (e) => {
      events.push(e);
      if (/RUN sleep 60/.test(e.text)) setTimeout(() => controller.abort(), 200);
    }, controller.signal);
    await assert.rejects(build, (err) => isAutoDevError(err, 'Cancelled'));
    assert.ok(events.some((e) => /RUN sleep 60/.test(e.text)));
  });

  it('stops a service promptly (init forwards SIGTERM) and removes the container', async () => {
    const { session } = await deploy({ 'app.py': 'import time\nprint("serving", flush=True)\nwhile True:\n    time.sleep(1)\n' });
    const w = watch(session);
    await w.waitForLine(/serving/);
    assert.equal(session.running, true);
    await session.stop();
    assert.equal(session.running, false);
    await assert.rejects(docker.getContainer(session.id).inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
    assert.equal(w.exits.length, 0, 'a stop we asked for is not reported as an app exit');
  });

  it('reports a container removed outside AutoDev, and restart then says ContainerGone', async () => {
    const { session } = await deploy({ 'app.py': 'import time\nprint("up", flush=True)\ntime.sleep(120)\n' });
    const w = watch(session);
    await w.waitForLine(/^up$/);
    const exited = w.nextExit();
    await docker.getContainer(session.id).remove({ force: true });
    const exit = await exited;
    assert.equal(exit.exitCode, null);
    assert.ok(w.lines.some((l) => l.stream === 'system' && /removed outside AutoDev/.test(l.text)));
    await assert.rejects(session.restart(), (err) => isAutoDevError(err, 'ContainerGone'));
  });

  it('re-follows the logs without losing or repeating lines when the attach stream drops mid-run', async () => {
    const app = 'import time\nfor i in range(60):\n    print(f"tick {i}", flush=True)\n    time.sleep(0.05)\n';
    const { session } = await deploy({ 'app.py': app });
    const w = watch(session);
    await w.waitForLine(/^tick 10$/);
    // What a daemon restart does to a hijacked attach connection: it just ends.
    (session as unknown as { inner: { session: { current: { stream: { destroy(): void } } } } }).inner.session.current.stream.destroy();
    await w.nextExit();
    const ticks = w.lines.filter((l) => l.stream === 'stdout').map((l) => l.text);
    assert.deepEqual(ticks, Array.from({ length: 60 }, (_, i) => `tick ${i}`));
    assert.ok(w.lines.some((l) => l.stream === 'system' && /re-attached/.test(l.text)));
  });

  it('reports build progress as events and tags images per workspace', async () => {
    const dir = workspaces.make({ 'app.py': 'print(1)\n' });
    const events: BuildEvent[] = [];
    const image = await runtime.buildImage(dir, TEST_SETTINGS, (e) => events.push(e));
    assert.equal(image.tag, `autodev/${workspaceIdFor(dir)}:latest`);
    assert.equal(image.workdir, '/app');
    assert.deepEqual(image.ports, [8000]);
    assert.ok(events.some((e) => e.kind === 'build' && /FROM autodev-offline\/python:3.11/.test(e.text)));
    const info = await docker.getImage(image.tag).inspect();
    assert.equal(info.Config.Labels?.[LABEL.autodev], '1');
  });

  it('gives BuildFailed with the build log tail for a broken Dockerfile', async () => {
    const dir = workspaces.make({
      Dockerfile: 'FROM autodev-offline/python:3.11\nRUN echo "step output before the failure" && exit 3\n',
    });
    await assert.rejects(runtime.buildImage(dir, TEST_SETTINGS), (err) => {
      assert.ok(isAutoDevError(err, 'BuildFailed'), String(err));
      assert.match(err.message, /step 2\/\d+ \(RUN echo "step output before the failure" && exit 3\) failed with exit code 3: step output before the failure/);
      assert.match(err.detail ?? '', /step output before the failure/);
      return true;
    });
  });

  it('uses the workspace Dockerfile: its WORKDIR is the mount point and EXPOSE gives the ports', async () => {
    const { session, image } = await deploy({
      Dockerfile: 'FROM autodev-offline/python:3.11\nWORKDIR /srv/app\nCOPY . .\nEXPOSE 5000\nCMD ["python3", "-c", "import os, time; print(os.getcwd(), sorted(os.listdir()), flush=True); time.sleep(60)"]\n',
      '.dockerignore': 'secret.txt\n',
      'secret.txt': 'x',
      'app.py': '',
    });
    assert.equal(image.kind, 'dockerfile');
    assert.equal(image.workdir, '/srv/app');
    assert.deepEqual(image.ports, [5000]);
    const w = watch(session);
    // The bind mount shows the whole workspace (secret.txt too) even though the image's COPY skipped it, and the
    // empty read-only mount points that keep the app from creating .git or .vscode.
    const line = await w.waitForLine(/^\/srv/);
    assert.equal(line.text, "/srv/app ['.dockerignore', '.git', '.vscode', 'Dockerfile', 'app.py', 'secret.txt']");
    assert.ok(session.publishedPorts.get(5000)! > 0);
  });

  it('says plainly when the base image has no pip for the requirements, and builds the app anyway', async () => {
    const dir = workspaces.make({ 'app.py': 'import requests\n', 'requirements.txt': 'requests\n' });
    const events: BuildEvent[] = [];
    const image = await runtime.buildImage(dir, TEST_SETTINGS, (e) => events.push(e));
    assert.equal(image.kind, 'python');
    const notes = events.filter((e) => e.kind === 'note').map((e) => (e as { text: string }).text);
    assert.ok(notes.some((n) => /autodev-offline\/python:3\.11 has no pip, so the declared Python packages were not installed \(requests\)/.test(n)), notes.join('\n'));
  });

  it('gives ImageUnavailable naming the fix when the base image is missing and cannot be pulled', async () => {
    const dir = workspaces.make({ 'app.py': '' });
    await assert.rejects(runtime.buildImage(dir, { ...TEST_SETTINGS, pythonImage: 'autodev-offline/does-not-exist:0' }), (err) => {
      assert.ok(isAutoDevError(err, 'ImageUnavailable'), String(err));
      assert.match(err.message, /offline-images\.sh/);
      assert.match(err.message, /autodev\.runtime\.pythonImage/);
      return true;
    });
  });

  it("gives ImageUnavailable when a workspace Dockerfile's FROM image is missing and cannot be pulled", async () => {
    const dir = workspaces.make({ Dockerfile: 'FROM autodev-offline/does-not-exist:0\nCMD ["true"]\n' });
    await assert.rejects(runtime.buildImage(dir, TEST_SETTINGS), (err) => {
      assert.ok(isAutoDevError(err, 'ImageUnavailable'), String(err));
      assert.match(err.message, /autodev-offline\/does-not-exist/);
      assert.match(err.message, /offline-images\.sh/);
      return true;
    });
  });

  it('gives NoAppFound for a folder with no app', async () => {
    const dir = workspaces.make({ 'notes.txt': 'hello' });
    await assert.rejects(runtime.buildImage(dir, TEST_SETTINGS), (err) => isAutoDevError(err, 'NoAppFound'));
  });

  it('gives DockerUnavailable within a few seconds for an unreachable DOCKER_HOST', async () => {
    for (const host of ['tcp://127.0.0.1:1', 'tcp://10.255.255.1:2375']) {
      const t0 = Date.now();
      await assert.rejects(new DockerRuntime({ dockerHost: host }).ping(), (err) => {
        assert.ok(isAutoDevError(err, 'DockerUnavailable'), String(err));
        assert.match(err.message, /DOCKER_HOST/);
        assert.match(err.message, /docker-up\.sh|start docker/i);
        return true;
      });
      assert.ok(Date.now() - t0 < 10_000, `${host} took ${Date.now() - t0} ms`);
    }
  });
});

describe('orphan cleanup (real engine)', function () {
  this.timeout(120_000);
  const runtime = new DockerRuntime();
  const created: string[] = [];

  async function fakeContainer(labels: Record<string, string>): Promise<string> {
    const c = await docker.createContainer({
      Image: 'autodev-offline/python:3.11',
      Cmd: ['sleep', '300'],
      Labels: { [LABEL.autodev]: '1', [LABEL.workspace]: 'other-workspace', [LABEL.role]: 'scratch', 'autodev.test': String(process.pid), ...labels },
      HostConfig: { Init: true },
    });
    await c.start();
    created.push(c.id);
    return c.id;
  }

  const exists = (id: string) => docker.getContainer(id).inspect().then(() => true, () => false);

  after(async () => {
    for (const id of created) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
    await assertNoLeftovers();
  });

  it('removes containers whose owner pid is dead (any workspace), keeps live-owned and other-host ones', async () => {
    const os = await import('node:os');
    const { spawnSync } = await import('node:child_process');
    const deadPid = String(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout);
    const orphan = await fakeContainer({ [LABEL.ownerPid]: deadPid, [LABEL.ownerHost]: os.hostname(), [LABEL.ownerStart]: 'ticks:1' });
    const live = await fakeContainer({ [LABEL.ownerPid]: String(process.pid), [LABEL.ownerHost]: os.hostname() });
    const remote = await fakeContainer({ [LABEL.ownerPid]: deadPid, [LABEL.ownerHost]: 'another-machine' });
    await runtime.cleanupOrphans();
    // Another AutoDev process on this engine may be removing it at the same moment (Docker answers 409 to the
    // second remover): allow that removal a few seconds to finish; either way the orphan must go.
    for (let i = 0; i < 50 && (await exists(orphan)); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await exists(orphan), false, 'orphan still exists');
    assert.equal(await exists(live), true, 'live-owned container was removed');
    assert.equal(await exists(remote), true, 'other-host container was removed');
  });
});
