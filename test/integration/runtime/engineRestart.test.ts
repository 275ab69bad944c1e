import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { imageTagFor } from '../../../src/core/runtime/dockerRuntime';
import { restartSecondEngine, secondEngineHost } from '../../support/secondEngine';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const TICKS = 400;

/** Prints `tick 0` … `tick 399` every 50 ms (20 s), then exits 7: long enough to restart the engine in the middle. */
const APP = `import time\nfor i in range(${TICKS}):\n    print(f"tick {i}", flush=True)\n    time.sleep(0.05)\nraise SystemExit(7)\n`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `autodev run --docker-host` against the second engine; restarts that engine (never the main one) once the app has
 * printed `tick 40`.
 */
function runAndRestartEngine(dir: string, host: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'run', dir, '--docker-host', host, '--image', 'autodev-offline/python:3.11', '--timeout-seconds', '240'], { cwd: ROOT, env: { ...process.env, DOCKER_HOST: '' } });
    let stdout = '';
    let stderr = '';
    let restarted = false;
    child.stdout.on('data', (c) => {
      stdout += c;
      if (!restarted && /^tick 40$/m.test(stdout)) {
        restarted = true;
        void restartSecondEngine();
      }
    });
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the engine restarts under a running app (second dockerd, restarted mid-stream)', function () {
  this.timeout(420_000);
  const dirs: string[] = [];
  let host: string;

  before(() => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
  });
  after(async () => {
    if (!host) return;
    const engine = new Docker({ host: '127.0.0.1', port: Number(new URL(host).port), protocol: 'http' });
    for (const dir of dirs) {
      await engine.getImage(imageTagFor(dir)).remove({ force: true }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
  const workspace = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'autodev-restart-'));
    writeFileSync(path.join(dir, 'app.py'), APP);
    dirs.push(dir);
    return dir;
  };

  it('with live-restore: neither loses nor repeats a line, and autodev run exits with the container\'s own code', async () => {
    host = await secondEngineHost(true);
    const r = await runAndRestartEngine(workspace(), host);
    const ticks = r.stdout.split('\n').filter(Boolean);
    assert.deepEqual(ticks, Array.from({ length: TICKS }, (_, i) => `tick ${i}`), r.stderr);
    assert.equal(r.code, 7, r.stderr);
    assert.match(r.stderr, /re-attached to the container output/, 'the output was followed again after the restart');
    assert.match(r.stderr, /engine: Docker tcp:\/\/127\.0\.0\.1:\d+/);
  });

  it('without live-restore: says the engine stopped the container (not an app crash) and exits 2 to redeploy', async () => {
    host = await secondEngineHost(false);
    const r = await runAndRestartEngine(workspace(), host);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /restarted without live-restore and stopped container [0-9a-f]{12} \(it was not an app crash\)/);
    assert.match(r.stderr, /run again to redeploy/);
    const ticks = r.stdout.split('\n').filter(Boolean);
    assert.ok(ticks.length >= 41 && ticks.length < TICKS, `the app was cut short: ${ticks.length} ticks`);
    assert.deepEqual(ticks, Array.from({ length: ticks.length }, (_, i) => `tick ${i}`), 'no line repeated or lost before the stop');
  });
});
