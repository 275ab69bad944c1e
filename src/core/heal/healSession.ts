/**
 * The heal loop's façade: build → run → watch the log (appRun) → crash → incident (incidentPipeline: fix, review,
 * apply and watch in place, commit) → healed or rolled back. Every step is an event; every state change goes through
 * the machine (healMachine) and names its trigger, incident and deployment.
 */
import { DEFAULT_QUIET_MS } from '../crash/crashScanner';
import { BudgetTracker } from '../agent/budget';
import { AutoDevError, toAutoDevError } from '../errors';
import { DisposableStore, Emitter, PendingWork, type Disposable } from '../lifecycle';
import type { RecordedExchange } from '../replay/recordingProxy';
import type { ContainerExit } from '../runtime/containerRuntime';
import { createSecretMasker, type SecretMasker } from '../privacy/secretMasker';
import { workspaceIdOf } from '../common/workspaceId';
import { AppRun, buildEvent } from './appRun';
import { maskHealEvent } from './maskedEvent';
import type { HealConfig, HealController } from './healController';
import type { FixRecord, HealEvent, HealState } from './healEvents';
import { HealMachine, type HealTrigger } from './healMachine';
import { IncidentPipeline } from './incidentPipeline';
import { classifyExit, DEFAULT_COOLDOWN_MS, describeExit, watchFailureOnExit } from './incidentPolicy';

/** Extra, optional knobs of a session (tests shorten the quiet period and the cool-down). */
export interface HealSessionOptions {
  scannerQuietMs?: number;
  cooldownMs?: number;
  /** Port of the recording proxy (0/undefined = any free port). */
  proxyPort?: number;
  /** Writes the proxy's recording where `autodev replay DIR` finds it. Default true. */
  writeReplayState?: boolean;
}

export class HealSession implements HealController {
  private readonly store = new DisposableStore();
  private readonly events: Emitter<HealEvent>;
  private readonly machine: HealMachine;
  private readonly abort = new AbortController();
  /** The one masker of this workspace: every event, log line, prompt and commit message passes through it. */
  readonly masker: SecretMasker;
  private readonly run: AppRun;
  private readonly incidents: IncidentPipeline;
  private disposed = false;
  private deploymentId = 0;
  /** The incident of the trigger being fired (for its state event). */
  private firing: string | undefined;
  /**
   * Deploys, restarts and memory raises in flight. Dispose waits for them: a container whose create was under way
   * when the session was aborted is removed by the operation itself (it sees the abort), and only then is the
   * session gone — the CLI exits right after dispose, and anything not finished by then is left behind.
   */
  private readonly operations = new PendingWork();

  constructor(private readonly config: HealConfig, options: HealSessionOptions = {}) {
    this.events = new Emitter<HealEvent>({ logger: config.logger, name: 'heal events' });
    const workspaceId = workspaceIdOf(config.workspaceDir);
    const quietMs = options.scannerQuietMs ?? DEFAULT_QUIET_MS;
    this.masker = createSecretMasker({ workspaceDir: config.workspaceDir, secrets: config.secrets });
    this.machine = new HealMachine((c) =>
      this.emit({ kind: 'state', state: c.state, previous: c.previous, trigger: c.trigger, at: c.at, deploymentId: this.deploymentId, ...(this.firing ? { incidentId: this.firing } : {}), ...(c.reason ? { reason: c.reason } : {}) }),
    );
    this.run = new AppRun({
      workspaceDir: config.workspaceDir,
      workspaceId,
      runtime: config.containerRuntime,
      settings: config.runtime,
      quietMs,
      proxyPort: options.proxyPort,
      writeReplayState: options.writeReplayState !== false,
      logger: config.logger,
      masker: this.masker,
      lifetime: this.abort.signal,
      hooks: {
        log: (line) => this.emit({ kind: 'log', line }),
        build: (e) => this.emit(buildEvent(e)),
        proxy: (url, containerPort) => this.emit({ kind: 'proxy', url, containerPort }),
        crash: (crash) => this.incidents.onCrash(crash),
        crashSeen: (crash) => this.incidents.onCrashSeen(crash),
        exit: (exit) => this.onExit(exit),
      },
    });
    const budget = new BudgetTracker({
      limits: { maxCostUsd: config.fix.maxCostUsd, dailyCostUsd: config.fix.dailyCostUsd, maxTokens: config.fix.maxTokens },
      file: config.budgetFile,
      onWarn: (message) => this.emit({ kind: 'budget/warn', message }),
    });
    this.incidents = new IncidentPipeline({
      config, run: this.run, masker: this.masker, budget, workspaceId, quietMs,
      cooldownMs: options.cooldownMs ?? DEFAULT_COOLDOWN_MS,
      lifetime: this.abort.signal,
      emit: (e) => this.emit(e),
      system: (t) => this.system(t),
      fire: (t, reason, incidentId) => this.fire(t, reason, incidentId),
    });
    this.store.register(this.events);
  }

  get state(): HealState {
    return this.machine.state;
  }

  /** The recording proxy's URL once the app is reachable through it. */
  get proxyUrl(): string | null {
    return this.run.proxyUrl;
  }

  /** Exchanges recorded by the proxy (masked). */
  exchanges(): RecordedExchange[] {
    return this.run.exchanges();
  }

  onEvent(listener: (e: HealEvent) => void): Disposable {
    return this.events.event(listener);
  }

  /** Resolves when the current fix/verify/apply work has settled (for tests and the CLI's shutdown). */
  settled(): Promise<void> {
    return this.incidents.settled();
  }

  private emit(e: HealEvent): void {
    if (this.disposed && e.kind !== 'done') return;
    // App log lines are masked as they arrive (appRun); everything else is masked here, once, for every consumer.
    this.events.fire(e.kind === 'log' && e.line.stream !== 'system' ? e : maskHealEvent(e, this.masker));
  }

  /** Fires a trigger; the state event names the incident it belongs to (by default the one in progress). */
  private fire(trigger: HealTrigger, reason?: string, incidentId = this.incidents.currentId): void {
    if (trigger.name === 'deployRequested') this.deploymentId++;
    this.firing = incidentId;
    try {
      this.machine.fire(trigger, reason);
    } finally {
      this.firing = undefined;
    }
  }

  /** A line of AutoDev's own in the log (the `system` stream says where it comes from, as the runtime's do). */
  private system(text: string): void {
    this.emit({ kind: 'log', line: { stream: 'system', text, time: Date.now(), seq: 0 } });
  }

  // ---------------------------------------------------------------- deploy, run, stop

  /** Runs `op` as an operation dispose waits for; none starts once the session is disposed. */
  private operation<T>(op: () => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new AutoDevError('Cancelled', 'The session was closed.'));
    return this.operations.track(op());
  }

  deploy(signal?: AbortSignal): Promise<void> {
    return this.operation(() => this.deployNow(signal));
  }

  private async deployNow(signal?: AbortSignal): Promise<void> {
    const sig = signal ? AbortSignal.any([signal, this.abort.signal]) : this.abort.signal;
    await this.incidents.cancel('redeploying');
    await this.run.teardown();
    this.fire({ name: 'deployRequested' });
    const engine = this.config.containerRuntime.engine;
    if (engine) this.emit({ kind: 'engine', engine });
    try {
      await this.run.build(sig);
      await this.startApp(sig);
    } catch (err) {
      const e = toAutoDevError(err);
      if (this.machine.state === 'DEPLOYING') this.fire({ name: 'deployFailed' }, e.message);
      this.emit({ kind: 'error', code: e.code, message: e.message });
      throw err;
    }
  }

  private async startApp(signal: AbortSignal): Promise<void> {
    await this.run.start(signal);
    this.fire({ name: 'appStarted' });
    await this.run.startProxy();
  }

  private onExit(exit: ContainerExit): void {
    if (exit.engineRestarted) {
      // The engine took the container with it (a restart without live-restore, an eviction): not the app's crash.
      if (this.incidents.watching) return this.incidents.failWatch('the container engine ended the app during the watch');
      this.emit({ kind: 'error', code: 'ContainerGone', message: 'The container engine ended the app (it restarted without live-restore, or evicted the pod); it did not crash. Deploy again to start it anew.' });
      if (this.machine.state === 'RUNNING') this.fire({ name: 'appExited' }, 'the engine ended the app: deploy again');
      return;
    }
    this.system(describeExit(exit, this.run.settings.memoryMb));
    if (this.incidents.watching) {
      // An exit during the in-place watch judges the patch, not the app: code 0 is fine, anything else fails it. The
      // exit of a run before the patched one (a late report across the restart) is not the fix's.
      const from = this.incidents.watchRun;
      if (exit.run !== undefined && from !== undefined && exit.run < from) return;
      const failure = watchFailureOnExit(exit, this.run.lastLineOf(exit.run));
      if (failure) this.incidents.failWatch(failure);
      return;
    }
    if (this.run.crashedThisRun) return;
    const meaning = classifyExit(exit, this.run.settings.memoryMb);
    if (meaning.kind === 'crash') return this.incidents.onCrash(meaning.crash, meaning.resourceKill);
    if (meaning.kind === 'clean' && this.machine.state === 'RUNNING') {
      this.fire({ name: 'appExited' }, 'the app exited with code 0');
      this.emit({ kind: 'done', healed: false, reason: 'the app exited with code 0 without crashing: nothing to heal', nothingToHeal: 'exited' });
    }
  }

  async stop(): Promise<void> {
    await this.incidents.cancel('stopped');
    await this.run.teardown();
    this.fire({ name: 'stopped' }, 'stopped');
  }

  async restart(): Promise<void> {
    if (!this.run.main) return this.deploy();
    return this.operation(async () => {
      await this.incidents.cancel('restarted');
      await this.run.restart();
      this.fire({ name: 'restarted' }, 'restarted');
    });
  }

  setAutoHealPaused(paused: boolean): void {
    this.incidents.paused = paused;
  }

  raiseMemoryLimit(): Promise<void> {
    return this.operation(() => this.raiseMemoryLimitNow());
  }

  private async raiseMemoryLimitNow(): Promise<void> {
    const before = this.run.settings.memoryMb;
    this.run.settings = { ...this.run.settings, memoryMb: before * 2 };
    this.system(`raising the memory limit from ${before} MiB to ${this.run.settings.memoryMb} MiB and restarting`);
    await this.run.teardown();
    this.fire({ name: 'deployRequested' }, `memory limit raised to ${this.run.settings.memoryMb} MiB`);
    await this.startApp(this.abort.signal);
  }

  async fixNow(): Promise<void> {
    await this.incidents.fixNow();
  }

  async accept(patchId: string): Promise<void> {
    return this.incidents.accept(patchId);
  }

  async reject(patchId: string): Promise<void> {
    this.incidents.reject(patchId);
  }

  /**
   * Gives up (the CLI's --timeout-seconds): the incident in progress ends FAILED, or the session does when none is;
   * emits `done`. Containers stop and an applied-but-unproven patch is rolled back on dispose.
   */
  giveUp(reason: string): void {
    if (this.disposed || this.incidents.giveUp(reason)) return;
    this.fire({ name: 'gaveUp' }, reason);
    this.emit({ kind: 'done', healed: false, reason });
  }

  // ---------------------------------------------------------------- fixes after the fact (the Fixes view)

  async revertFix(fix: FixRecord): Promise<FixRecord> {
    if (!fix.commit) throw new AutoDevError('GitError', 'This fix was not committed, so there is nothing to revert.');
    const sha = await this.config.gitPort.revert(this.config.workspaceDir, fix.commit);
    const updated: FixRecord = { ...fix, status: 'reverted', reason: `reverted by ${sha.slice(0, 7)}` };
    this.emit({ kind: 'fix', fix: updated });
    return updated;
  }

  async pushFix(fix: FixRecord): Promise<FixRecord> {
    if (!fix.commit) throw new AutoDevError('GitError', 'This fix was not committed yet, so there is nothing to push.');
    await this.config.gitPort.push(this.config.workspaceDir);
    const updated: FixRecord = { ...fix, status: 'pushed' };
    this.emit({ kind: 'push', ok: true, message: 'pushed to the upstream' });
    this.emit({ kind: 'fix', fix: updated });
    return updated;
  }

  // ---------------------------------------------------------------- teardown

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.abort.abort();
    // Until none is left: an operation in flight ends on the abort, removing what it created after it.
    await this.operations.settled();
    // A patch applied but not yet proven is rolled back: nothing is left half-done.
    await this.incidents.settle();
    await this.run.dispose();
    await this.store.dispose();
  }
}
