import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BuiltinFixer } from '../../../src/core/agent/builtinFixer';
import type { GitPort } from '../../../src/core/git/gitPort';
import type { HealEvent } from '../../../src/core/heal/healEvents';
import { HealSession } from '../../../src/core/heal/healSession';
import { MemoryCapabilityCache } from '../../../src/core/agent/capabilityCache';
import { FsPatchApplier } from '../../../src/core/patch/fsPatchApplier';
import { testLogger } from '../../support/testLogger';
import { Emitter, type Disposable } from '../../../src/core/lifecycle';
import { DEFAULT_RUNTIME_SETTINGS, type AppImage, type ContainerExit, type ContainerRuntime, type ContainerSession, type LogLine, type StartOptions } from '../../../src/core/runtime/containerRuntime';

const APP = [
  'import sys',
  '',
  'def share(total, people):',
  '    return total / len(people)',
  '',
  'def main():',
  '    people = []',
  '    print(share(120.0, people))',
  '',
  'sys.exit(main())',
  '',
].join('\n');

const TRACE = [
  'Traceback (most recent call last):',
  '  File "/app/app.py", line 10, in <module>',
  '    sys.exit(main())',
  '  File "/app/app.py", line 8, in main',
  '    print(share(120.0, people))',
  '  File "/app/app.py", line 4, in share',
  '    return total / len(people)',
  'ZeroDivisionError: division by zero',
];

/** A container that "runs" app.py: it crashes with the trace unless the division is guarded. */
class FakeSession implements ContainerSession {
  readonly id = `fake-${Math.random().toString(36).slice(2)}`;
  readonly publishedPorts = new Map<number, number>();
  private readonly lines = new Emitter<LogLine>();
  private readonly exits = new Emitter<ContainerExit>();
  private seq = 0;
  running = false;
  currentRun = 0;
  runStartedAt = 0;
  constructor(private readonly dir: string, private readonly log: string[]) {}
  onLine(l: (line: LogLine) => void): Disposable {
    return this.lines.event(l);
  }
  onExit(l: (exit: ContainerExit) => void): Disposable {
    return this.exits.event(l);
  }
  private stopped = false;
  /** Set by a test: a restart first delivers the trace of the run before it, late (a busy log pipeline). */
  lateTraceOnRestart = false;
  run(): void {
    this.running = true;
    const run = ++this.currentRun;
    this.runStartedAt = Date.now();
    setTimeout(() => {
      if (this.stopped) return;
      const src = readFileSync(path.join(this.dir, 'app.py'), 'utf8');
      // `.breaks-in-place` makes the workspace itself crash whatever the code (an environment only it has).
      const crashes = !/ if (len\(people\)|people) else /.test(src) || existsSync(path.join(this.dir, '.breaks-in-place'));
      this.log.push(`${path.basename(this.dir).startsWith('autodev-scratch') ? 'scratch' : 'main'}:${crashes ? 'crash' : 'ok'}`);
      if (crashes) for (const t of TRACE) this.lines.fire({ stream: 'stderr', text: t, time: Date.now(), seq: ++this.seq, run });
      else this.lines.fire({ stream: 'stdout', text: '0.0', time: Date.now(), seq: ++this.seq, run });
      this.running = false;
      setTimeout(() => this.exits.fire({ exitCode: crashes ? 1 : 0, signal: null, oomKilled: false, run }), 20);
    }, 10);
  }
  async restart(): Promise<void> {
    this.stopped = false;
    const before = this.currentRun;
    this.run();
    if (this.lateTraceOnRestart) for (const t of TRACE) this.lines.fire({ stream: 'stderr', text: t, time: Date.now(), seq: ++this.seq, run: before });
  }
  async appPort(): Promise<number | null> {
    return null;
  }
  input(): boolean {
    return false;
  }
  async exec(): Promise<{ exitCode: number | null; output: string }> {
    return { exitCode: 0, output: '' };
  }
  async stop(): Promise<void> {
    this.stopped = true;
    this.running = false;
  }
  dispose(): Promise<void> {
    return this.stop();
  }
}

class FakeRuntime implements ContainerRuntime {
  readonly log: string[] = [];
  async ping(): Promise<void> {}
  async buildImage(): Promise<AppImage> {
    return { tag: 'fake', kind: 'python', workdir: '/app', appDir: '', mountSource: true, builtFrom: '/fake', ports: [], cmd: ['python', 'app.py'] };
  }
  async start(_image: AppImage, options: StartOptions): Promise<ContainerSession> {
    const s = new FakeSession(options.sourceDir, this.log);
    s.run();
    return s;
  }
  async cleanupOrphans(): Promise<number> {
    return 0;
  }
}

const noGit: GitPort = {
  isRepo: async () => false,
  commit: async () => 'x',
  push: async () => undefined,
  revert: async () => 'y',
};

describe('heal session logic (fake container runtime, built-in fixer)', function () {
  this.timeout(20000);
  let dir: string;
  let runtime: FakeRuntime;
  let session: HealSession;
  let events: HealEvent[];
  const make = (mode: 'review' | 'autonomous') => {
    runtime = new FakeRuntime();
    session = new HealSession(
      {
        workspaceDir: dir,
        runtime: DEFAULT_RUNTIME_SETTINGS,
        containerRuntime: runtime,
        provider: async () => new BuiltinFixer(),
        secrets: [],
        mode,
        verify: { windowSeconds: 0.5, replayUnsafeMethods: false },
        fix: { maxTurns: 6, maxTokens: 100_000, maxCostUsd: 1, dailyCostUsd: 0, timeoutMs: 5000, maxAttempts: 2 },
        git: { commit: false, autoPush: false, branch: 'current' },
        applier: new FsPatchApplier(),
        gitPort: noGit,
        capabilities: new MemoryCapabilityCache(),
        logger: testLogger(),
      },
      { scannerQuietMs: 30, cooldownMs: 60_000, writeReplayState: false },
    );
    events = [];
    session.onEvent((e) => events.push(e));
  };
  const until = async (pred: () => boolean, what: string) => {
    const end = Date.now() + 10_000;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; states: ${states().join(' ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const states = () => events.filter((e) => e.kind === 'state').map((e) => (e as { state: string }).state);

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'autodev-logic-'));
    writeFileSync(path.join(dir, 'app.py'), APP);
  });
  afterEach(async () => {
    await session.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('goes crash → fix → reproduce before → verify after → apply → healed, with MTTR', async () => {
    make('autonomous');
    await session.deploy();
    await until(() => events.some((e) => e.kind === 'done'), 'done');
    const done = events.find((e) => e.kind === 'done') as Extract<HealEvent, { kind: 'done' }>;
    assert.equal(done.healed, true, done.reason);
    assert.deepEqual(states(), ['DEPLOYING', 'RUNNING', 'CRASHED', 'FIXING', 'VERIFYING', 'REVIEW', 'APPLYING', 'HEALED']);
    assert.deepEqual(runtime.log.slice(0, 3).sort(), ['main:crash', 'scratch:crash', 'scratch:ok'].sort());
    assert.equal(done.reproducer?.kind, 'command');
    assert.equal(done.reproducer?.reproduced, true);
    assert.ok(typeof done.mttrMs === 'number' && done.mttrMs >= 0);
    assert.match(readFileSync(path.join(dir, "app.py"), "utf8"), / if (len\(people\)|people) else /);
  });

  it('announces the crash the moment its trace is complete (crashSeen, main run only); only the final crash event starts the fix', async () => {
    make('review');
    session.setAutoHealPaused(true);
    await session.deploy();
    await until(() => events.some((e) => e.kind === 'crashSeen'), 'crashSeen');
    const at = events.findIndex((e) => e.kind === 'crashSeen');
    assert.ok(!events.slice(0, at).some((e) => e.kind === 'crash' || (e.kind === 'state' && e.state === 'CRASHED')), 'announced before the final report and the CRASHED state');
    await until(() => session.state === 'CRASHED', 'CRASHED');
    const seen = events[at] as Extract<HealEvent, { kind: 'crashSeen' }>;
    const crash = events.find((e) => e.kind === 'crash') as Extract<HealEvent, { kind: 'crash' }>;
    assert.equal(seen.crash.signature, crash.crash.signature);
    assert.deepEqual(seen.crash.userFrame, crash.crash.userFrame);
    assert.equal(events.filter((e) => e.kind === 'crashSeen').length, 1, 'the scratch runs of a fix announce nothing');
    await session.fixNow();
    assert.equal(events.filter((e) => e.kind === 'crashSeen').length, 1, 'the scratch runs of a fix announce nothing');
  });

  it('does not fix while auto-heal is paused, and fixes on Fix Now', async () => {
    make('review');
    session.setAutoHealPaused(true);
    await session.deploy();
    await until(() => session.state === 'CRASHED', 'CRASHED');
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!states().includes('FIXING'));
    await session.fixNow();
    assert.equal(session.state, 'REVIEW');
    assert.ok(events.some((e) => e.kind === 'patch'));
  });

  it('rejecting a patch leaves the files untouched and records the rejection; the same crash then stays in cool-down', async () => {
    make('review');
    await session.deploy();
    await until(() => session.state === 'REVIEW', 'REVIEW');
    const patch = (events.find((e) => e.kind === 'patch') as Extract<HealEvent, { kind: 'patch' }>).patch;
    await session.reject(patch.id);
    assert.equal(readFileSync(path.join(dir, 'app.py'), 'utf8'), APP);
    assert.ok(events.some((e) => e.kind === 'fix' && e.fix.status === 'rejected'));
    assert.equal(session.state, 'CRASHED');
    // The app crashes the same way again: counted, not fixed again within the cool-down.
    await session.restart();
    await until(() => events.filter((e) => e.kind === 'crash').length === 2, 'second crash');
    await new Promise((r) => setTimeout(r, 200));
    const crashes = events.filter((e) => e.kind === 'crash') as Extract<HealEvent, { kind: 'crash' }>[];
    assert.equal(crashes[1].occurrences, 2);
    assert.equal(states().filter((s) => s === 'FIXING').length, 1);
  });

  it('rolls the files back byte-for-byte and ends FAILED when the crash comes back after applying', async () => {
    make('autonomous');
    writeFileSync(path.join(dir, '.breaks-in-place'), '');
    // The scratch copy must not carry the marker, or verification would refuse the patch first: remove it there.
    const start = runtime.start.bind(runtime);
    runtime.start = async (image, options) => {
      if (options.role === 'scratch') rmSync(path.join(options.sourceDir, '.breaks-in-place'), { force: true });
      return start(image, options);
    };
    await session.deploy();
    await until(() => events.some((e) => e.kind === 'done'), 'done');
    const done = events.find((e) => e.kind === 'done') as Extract<HealEvent, { kind: 'done' }>;
    assert.equal(done.healed, false);
    assert.match(done.reason, /did not hold in the workspace .*ZeroDivisionError came back.*restored/);
    assert.equal(readFileSync(path.join(dir, 'app.py'), 'utf8'), APP);
    assert.equal(done.fix?.status, 'reverted');
    assert.equal(session.state, 'FAILED');
  });

  it('a late trace of the run before the restart does not fail the in-place watch: the patched run decides', async () => {
    make('autonomous');
    const start = runtime.start.bind(runtime);
    runtime.start = async (image, options) => {
      const s = (await start(image, options)) as FakeSession;
      if (options.role === 'main') s.lateTraceOnRestart = true;
      return s;
    };
    await session.deploy();
    await until(() => events.some((e) => e.kind === 'done'), 'done');
    const done = events.find((e) => e.kind === 'done') as Extract<HealEvent, { kind: 'done' }>;
    assert.equal(done.healed, true, done.reason);
    const logs = events.flatMap((e) => (e.kind === 'log' ? [e.line.text] : []));
    assert.ok(logs.some((t) => /a late ZeroDivisionError from run 1, before the fix was applied, is not counted/.test(t)), logs.join('\n'));
    assert.ok(logs.some((t) => /the patched app is ready \(run 2, .*first line: 0\.0\)/.test(t)), logs.join('\n'));
    const crashes = events.filter((e) => e.kind === 'crash') as Extract<HealEvent, { kind: 'crash' }>[];
    assert.deepEqual(crashes.map((c) => c.crash.run), [1, 1], 'each crash event says which run wrote it');
  });

  it('accept() of an unknown patch is refused with NotFound', async () => {
    make('review');
    await assert.rejects(session.accept('nope'), /no longer pending/);
  });
});
