/**
 * Ctrl-C (the session's dispose) leaves nothing behind even when the engine is slow: a scratch container being
 * removed and a container being created when the abort comes are both gone by the time dispose resolves. The CLI
 * exits right after it, so whatever dispose does not wait for is never finished. Real Docker; the engine's slowness
 * under load is reproduced by a runtime that delays the real calls.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { workspaceIdOf } from '../../../src/core/common/workspaceId';
import type { AppImage, BuildEvent, ContainerRuntime, ContainerSession, RuntimeSettings, StartOptions } from '../../../src/core/runtime/containerRuntime';
import { DockerRuntime } from '../../../src/core/runtime/dockerRuntime';
import { startFakeLlm, type FakeLlm } from '../../support/fakeLlmServer';
import { exampleRepo, makeSession, openaiAt, sessionCleanup, snapshot } from './healTestKit';

/** What the engine takes longer for on a loaded machine (a 2-core host running other suites). */
const ENGINE_LAG_MS = 1500;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function containersOf(dir: string): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=autodev.workspace=${workspaceIdOf(dir)}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

/** The real Docker runtime, with a slow engine where the test says so. */
class LaggingRuntime implements ContainerRuntime {
  private readonly real = new DockerRuntime();
  /** Resolves with the scratch copy's folder once a scratch container is running. */
  readonly scratchStarted: Promise<string>;
  /** Resolves when the main container's start is asked for. */
  readonly mainStarting: Promise<void>;
  private onScratch!: (dir: string) => void;
  private onMain!: () => void;

  constructor(private readonly lag: { scratchStop?: boolean; mainStart?: boolean }) {
    this.scratchStarted = new Promise((r) => (this.onScratch = r));
    this.mainStarting = new Promise((r) => (this.onMain = r));
  }

  get engine() {
    return this.real.engine;
  }

  ping(): Promise<void> {
    return this.real.ping();
  }

  buildImage(dir: string, settings: RuntimeSettings, onEvent?: (e: BuildEvent) => void, signal?: AbortSignal): Promise<AppImage> {
    return this.real.buildImage(dir, settings, onEvent, signal);
  }

  cleanupOrphans(): Promise<number> {
    return this.real.cleanupOrphans();
  }

  async start(image: AppImage, options: StartOptions): Promise<ContainerSession> {
    if (options.role === 'main') {
      this.onMain();
      // The engine is slow to create the container: the abort comes while the start is in flight.
      if (this.lag.mainStart) await sleep(ENGINE_LAG_MS);
      return this.real.start(image, options);
    }
    const session = await this.real.start(image, options);
    this.onScratch(options.sourceDir);
    if (!this.lag.scratchStop) return session;
    // The engine is slow to stop and remove it: the removal is still under way when the session is disposed.
    const stop = async () => {
      await sleep(ENGINE_LAG_MS);
      await session.stop();
    };
    return new Proxy(session, {
      get: (target, key) => {
        if (key === 'stop' || key === 'dispose') return stop;
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
}

describe('Ctrl-C cleanup against a slow engine (real Docker, fake LLM over HTTP)', function () {
  this.timeout(240_000);
  const cleanup = sessionCleanup();
  let fake: FakeLlm | null = null;
  afterEach(async () => {
    await cleanup.run();
    await fake?.close();
    fake = null;
  });

  it('removes the scratch container of the reproduction before dispose resolves, however slow its removal', async () => {
    const dir = exampleRepo('python-divide');
    const before = snapshot(dir);
    fake = await startFakeLlm(() => ({ stall: true }));
    const runtime = new LaggingRuntime({ scratchStop: true });
    const h = cleanup.track(makeSession(dir, openaiAt(fake), { containerRuntime: runtime }), dir);
    await h.session.deploy();
    await h.waitFor('state', (e) => e.state === 'FIXING');
    // The model is still thinking and the unpatched copy is being reproduced in its own container: Ctrl-C now.
    const scratchDir = await runtime.scratchStarted;
    await h.session.dispose();
    assert.deepEqual(containersOf(dir), [], 'no container of the workspace is left when dispose resolves');
    assert.equal(existsSync(scratchDir), false, 'the scratch copy is removed too');
    assert.deepEqual(snapshot(dir), before);
  });

  it('waits for a container start in flight and removes that container before dispose resolves', async () => {
    const dir = exampleRepo('python-divide');
    fake = await startFakeLlm(() => ({ stall: true }));
    const runtime = new LaggingRuntime({ mainStart: true });
    const h = cleanup.track(makeSession(dir, openaiAt(fake), { containerRuntime: runtime }), dir);
    let deploySettled = false;
    const deploying = h.session.deploy().then(
      () => undefined,
      () => undefined,
    ).finally(() => (deploySettled = true));
    await runtime.mainStarting;
    await h.session.dispose();
    assert.equal(deploySettled, true, 'dispose waited for the deploy in flight');
    assert.deepEqual(containersOf(dir), [], 'the container created after the abort is removed');
    await deploying;
    assert.deepEqual(containersOf(dir), []);
  });
});
