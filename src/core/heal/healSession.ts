/**
 * The heal loop: build → run → watch the log → crash → fix (agent) → verify in a scratch copy (reproduce before,
 * pass after) → review → apply → watch in place → healed (commit, push) or rolled back. Every step is an event.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import type { CrashReport } from '../crash/crashReport';
import { CrashScanner, DEFAULT_QUIET_MS } from '../crash/crashScanner';
import { createPathMapper } from '../crash/pathMapper';
import { crashFromExit } from '../crash/exitCrash';
import { isStdinEof, NEEDS_INPUT_ADVICE } from '../crash/needsInput';
import { runFixAgent } from '../agent/fixAgent';
import { FsPatchApplier } from '../agent/workspacePatch';
import { createSecretMasker, type SecretMasker } from '../privacy/secretMasker';
import { maskHealEvent } from './maskedEvent';
import { BudgetTracker } from '../agent/budget';
import { BuiltinFixer } from '../agent/builtinFixer';
import { MemoryCapabilityCache, capabilityKey, chooseAgentProvider, type ToolCapabilityCache } from '../agent/toolCallingProbe';
import type { PendingPatch } from '../agent/llmProvider';
import { AutoDevError, isAutoDevError } from '../errors';
import { DisposableStore, Emitter, toDisposable, type Disposable } from '../lifecycle';
import type { AppImage, BuildEvent, ContainerExit, ContainerSession, LogLine, RuntimeSettings } from '../runtime/containerRuntime';
import { SimpleGitPort, fixBranchName } from '../git/simpleGitPort';
import { RecordingProxy, type RecordedExchange, type ReplayableRequest } from '../replay/recordingProxy';
import { describeResponse, planReproducer, replayRequest, type ReproducerPlan } from '../replay/reproducer';
import { writeReplayState } from '../replay/replayStateFile';
import { probeListening } from '../replay/portProbe';
import type { GitPort, HealConfig, HealController, PatchApplier } from './healController';
import type { FixRecord, HealEvent, HealState, ReproducerResult, VerificationResult } from './healEvents';
import { HealStateMachine } from './healStateMachine';
import { ScratchVerifier } from './scratchVerifier';
import { abortableDelay } from './abortableDelay';
import { buildCommitMessage } from './commitMessage';

/** Lines kept for the agent's log tail and the crash linking (by scanner line number). */
const LOG_RING = 400;
/** Log lines before the trace sent with the first message (as the original system did). */
const LOG_TAIL_LINES = 20;
/** After an incident ends, the same signature is only counted for this long (stops restart storms). */
const DEFAULT_COOLDOWN_MS = 30_000;

interface PreviousAttempt {
  summary: string;
  diff: string;
  whyRefused: string;
}

interface Incident {
  id: string;
  crash: CrashReport;
  firstAt: number;
  logTail: string[];
  exchange: RecordedExchange | null;
  request: ReplayableRequest | null;
  containerPort: number | null;
  /** Whether the app had answered through the proxy before it crashed (else the start reproduces it). */
  reachable: boolean;
  plan?: ReproducerPlan;
  verifier?: ScratchVerifier;
  attempts: number;
  previousAttempts: PreviousAttempt[];
  resourceKill?: { memoryLimitMb?: number };
  fix: FixRecord;
  lastVerification?: VerificationResult;
  /** Aborted by the session's dispose, or by a redeploy/stop that cancels this incident. */
  abort: AbortController;
}

interface Pending {
  incident: Incident;
  patch: PendingPatch;
  verification: VerificationResult;
}

/** The in-place watch after a patch was applied. */
interface Watch {
  signature: string;
  fail: (reason: string) => void;
}

function workspaceIdOf(dir: string): string {
  let real = path.resolve(dir);
  try {
    real = realpathSync(real);
  } catch {
    // a missing folder still gets an id
  }
  return createHash('sha256').update(real).digest('hex').slice(0, 16);
}

/** Extra, optional knobs of a session (tests shorten the quiet period and the cool-down). */
export interface HealSessionOptions {
  scannerQuietMs?: number;
  cooldownMs?: number;
  /** Port of the recording proxy (0/undefined = any free port). */
  proxyPort?: number;
  /** Writes the proxy's recording where `autodev replay DIR` finds it. Default true. */
  writeReplayState?: boolean;
  /** Tool-calling capability per (base URL, model); in memory when absent. */
  capabilityCache?: ToolCapabilityCache;
}

export class HealSession implements HealController {
  private readonly store = new DisposableStore();
  private readonly events = new Emitter<HealEvent>();
  private readonly sm: HealStateMachine;
  private readonly abort = new AbortController();
  private readonly applier: PatchApplier;
  private readonly gitPort: GitPort;
  /** The one masker of this workspace: every event, log line, prompt and commit message passes through it. */
  readonly masker: SecretMasker;
  private readonly workspaceId: string;
  private readonly quietMs: number;
  private readonly cooldownMs: number;
  private settings: RuntimeSettings;
  private image: AppImage | null = null;
  private main: ContainerSession | null = null;
  private mainStore: DisposableStore | null = null;
  private scanner: CrashScanner | null = null;
  private proxy: RecordingProxy | null = null;
  private proxyContainerPort: number | null = null;
  private budget: BudgetTracker | null = null;
  /** Lines pushed to the scanner, by scanner line number (1-based). */
  private pushed: { n: number; text: string; time: number }[] = [];
  private pushCount = 0;
  private crashThisRun = false;
  private reachableThisRun = false;
  private announceGen = 0;
  private readonly capabilities: ToolCapabilityCache;
  private occurrences = new Map<string, number>();
  private endedAt = new Map<string, number>();
  private incident: Incident | null = null;
  private pending: Pending | null = null;
  private applied: { patch: PendingPatch } | null = null;
  private watch: Watch | null = null;
  private lastCrash: { crash: CrashReport; resourceKill?: { memoryLimitMb?: number }; at: number } | null = null;
  private paused = false;
  private work: Promise<void> = Promise.resolve();
  private disposed = false;
  private incidentSeq = 0;

  constructor(private readonly config: HealConfig, private readonly options: HealSessionOptions = {}) {
    this.sm = new HealStateMachine((c) => this.emit({ kind: 'state', state: c.state, previous: c.previous, at: c.at, ...(c.reason ? { reason: c.reason } : {}) }));
    this.applier = config.applier ?? new FsPatchApplier();
    this.gitPort = config.gitPort ?? new SimpleGitPort();
    this.masker = createSecretMasker({ workspaceDir: config.workspaceDir, secrets: config.secrets });
    this.workspaceId = workspaceIdOf(config.workspaceDir);
    this.quietMs = options.scannerQuietMs ?? DEFAULT_QUIET_MS;
    this.cooldownMs = options.cooldownMs ?? DEFAULT_COOLDOWN_MS;
    this.settings = { ...config.runtime };
    this.capabilities = options.capabilityCache ?? new MemoryCapabilityCache();
    this.store.register(this.events);
  }

  get state(): HealState {
    return this.sm.state;
  }

  /** The recording proxy's URL once the app is reachable through it. */
  get proxyUrl(): string | null {
    return this.proxy?.url ?? null;
  }

  /** Exchanges recorded by the proxy (masked). */
  exchanges(): RecordedExchange[] {
    return this.proxy?.exchanges() ?? [];
  }

  onEvent(listener: (e: HealEvent) => void): Disposable {
    return this.events.event(listener);
  }

  /** Background work (scratch runs) that dispose must wait for, so no scratch container outlives the session. */
  private readonly background = new Set<Promise<unknown>>();

  private track<T>(p: Promise<T>): Promise<T> {
    this.background.add(p);
    void p.finally(() => this.background.delete(p)).catch(() => undefined);
    return p;
  }

  /** Resolves when the current fix/verify/apply work has settled (for tests and the CLI's shutdown). */
  settled(): Promise<void> {
    return this.work;
  }

  private emit(e: HealEvent): void {
    if (this.disposed && e.kind !== 'done') return;
    // App log lines are masked as they arrive (onMainLine); everything else is masked here, once, for every consumer.
    this.events.fire(e.kind === 'log' && e.line.stream !== 'system' ? e : maskHealEvent(e, this.masker));
  }

  private to(state: HealState, reason?: string): void {
    if (this.sm.state === state && state !== 'RUNNING') return;
    this.sm.go(state, reason);
  }

  /** A line of AutoDev's own in the log (the `system` stream says where it comes from, as the runtime's do). */
  private system(text: string): void {
    this.emit({ kind: 'log', line: { stream: 'system', text, time: Date.now(), seq: 0 } });
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  private combine(signal?: AbortSignal): AbortSignal {
    return signal ? AbortSignal.any([signal, this.abort.signal]) : this.abort.signal;
  }

  // ---------------------------------------------------------------- deploy, run, watch

  async deploy(signal?: AbortSignal): Promise<void> {
    const sig = this.combine(signal);
    await this.cancelIncident('redeploying');
    await this.teardownMain();
    this.to('DEPLOYING');
    try {
      await this.config.containerRuntime.ping();
      this.image = await this.config.containerRuntime.buildImage(this.config.workspaceDir, this.settings, (e) => this.emit(buildEvent(e)), sig);
      await this.startMain(sig);
    } catch (err) {
      const e = toAutoDevError(err);
      if (this.sm.state === 'DEPLOYING') this.to('FAILED', e.message);
      this.emit({ kind: 'error', code: e.code, message: e.message });
      throw err;
    }
  }

  private async startMain(signal: AbortSignal): Promise<void> {
    const image = this.image;
    if (!image) throw new AutoDevError('NoAppFound', 'Nothing is deployed yet: deploy the workspace first.');
    const session = await this.config.containerRuntime.start(image, {
      sourceDir: this.config.workspaceDir,
      role: 'main',
      workspaceId: this.workspaceId,
      settings: this.settings,
      signal,
    });
    if (this.disposed) {
      await session.stop().catch(() => undefined);
      throw new AutoDevError('Cancelled', 'Deploy cancelled.');
    }
    const store = new DisposableStore();
    this.main = session;
    this.mainStore = store;
    this.crashThisRun = false;
    this.reachableThisRun = false;
    const scanner = store.register(new CrashScanner({ pathMapper: createPathMapper({ workspaceDir: this.config.workspaceDir, containerWorkdir: image.workdir, appDir: image.appDir }), quietMs: this.quietMs }));
    this.scanner = scanner;
    this.pushed = [];
    this.pushCount = 0;
    const sub = scanner.onCrash((crash: CrashReport) => this.onCrash(crash));
    if (sub) store.register(sub as Disposable);
    store.register(session.onLine((line) => this.onMainLine(line)));
    store.register(session.onExit((exit) => this.onMainExit(exit)));
    // The output ending is the earliest sign of an exit: a trace still waiting for its quiet period is complete.
    const ended = session.onOutputEnd?.(() => this.scanner?.flush());
    if (ended) store.register(ended);
    this.to('RUNNING');
    // The proxy follows the port the app really listens on (found in the container), not only the declared one.
    await this.ensureProxy(image.ports[0] ?? 0);
  }

  /** Masks configured/.env secrets and credentials seen in recorded requests (apps do log their headers). */
  private mask(text: string): string {
    return this.masker.maskText(text);
  }

  private onMainLine(line: LogLine): void {
    // Detection first: it never waits on masking or on the consumers of the log event.
    if (line.stream !== 'system') {
      this.pushCount++;
      this.pushed.push({ n: this.pushCount, text: line.text, time: line.time });
      if (this.pushed.length > LOG_RING) this.pushed.shift();
      this.scanner?.push(line.text, line.stream);
    }
    const text = this.mask(line.text);
    this.emit({ kind: 'log', line: text === line.text ? line : { ...line, text } });
  }

  private onMainExit(exit: ContainerExit): void {
    this.scanner?.flush();
    const code = exit.exitCode;
    this.system(exit.oomKilled ? `the app was killed for memory (limit ${exit.memoryLimitMb ?? this.settings.memoryMb} MiB)` : `the app exited${code !== null ? ` with code ${code}` : ''}${exit.signal ? ` (${exit.signal})` : ''}`);
    if (this.watch) {
      if (code !== 0 || exit.oomKilled) this.watch.fail(exit.oomKilled ? 'the app was killed for memory after the fix' : `the app exited with code ${code} after the fix`);
      return;
    }
    if (this.crashThisRun) return;
    if (exit.oomKilled || (code === 137 && !exit.signal) || (code === 137 && exit.signal === 'SIGKILL')) {
      const limit = exit.memoryLimitMb ?? this.settings.memoryMb;
      const crash = crashFromExit({ ...exit, oomKilled: true, memoryLimitMb: limit }) ?? syntheticExitCrash('OOMKilled', `killed for memory: limit ${limit} MiB`);
      this.onCrash(crash, { memoryLimitMb: limit });
      return;
    }
    const fromExit = crashFromExit(exit);
    if (fromExit) return this.onCrash(fromExit);
    if (code !== null && code !== 0) return this.onCrash(syntheticExitCrash('Exit', `the app exited with code ${code} without a stack trace`));
    if (code === 0 && this.sm.state === 'RUNNING') {
      this.to('IDLE', 'the app exited with code 0');
      this.emit({ kind: 'done', healed: false, reason: 'the app exited with code 0 without crashing: nothing to heal', nothingToHeal: 'exited' });
    }
  }

  private async ensureProxy(containerPort: number): Promise<void> {
    if (!this.proxy) {
      const proxy = new RecordingProxy({
        target: () => {
          const host = this.main?.publishedPorts.get(this.proxyContainerPort ?? containerPort);
          return host ? `http://127.0.0.1:${host}` : null;
        },
        port: this.options.proxyPort,
        masker: this.masker,
      });
      this.proxy = this.store.register(proxy);
      this.proxyContainerPort = containerPort;
      await proxy.listen();
      if (this.options.writeReplayState !== false) {
        let timer: NodeJS.Timeout | null = null;
        const write = () => {
          timer = null;
          void writeReplayState(this.config.workspaceDir, { pid: process.pid, proxyUrl: proxy.url, containerPort, updatedAt: Date.now(), exchanges: proxy.exchanges() }).catch(() => undefined);
        };
        this.store.register(proxy.onExchange(() => (timer ??= setTimeout(write, 200))));
        this.store.register(toDisposable(() => (timer ? (clearTimeout(timer), write()) : undefined)));
        write();
      }
    }
    this.announceProxy(containerPort);
  }

  /** Announces the proxy URL once the app answers through it (in the background: a worker may never listen). */
  private announceProxy(containerPort: number): void {
    this.reachableThisRun = false;
    const session = this.main;
    const gen = ++this.announceGen;
    if (!this.proxy || !session) return;
    void (async () => {
      const deadline = Date.now() + 60_000;
      // Which port the app listens on, read in its container (re-published if it was not): the proxy targets it.
      const found = await session.appPort(60_000, this.signal).catch(() => null);
      if (found !== null && this.main === session && gen === this.announceGen) {
        containerPort = found;
        this.proxyContainerPort = found;
      }
      while (!this.disposed && this.main === session && gen === this.announceGen && Date.now() < deadline && session?.running) {
        const host = session.publishedPorts.get(containerPort);
        if (host) {
          // No probe request: one could itself crash a buggy app (and it would not go through the proxy).
          if (await probeListening(host)) {
            this.reachableThisRun = true;
            this.emit({ kind: 'proxy', url: this.proxy!.url!, containerPort });
            return;
          }
        }
        await abortableDelay(200, this.signal);
      }
    })();
  }

  private async teardownMain(): Promise<void> {
    const store = this.mainStore;
    const main = this.main;
    this.mainStore = null;
    this.main = null;
    this.scanner = null;
    if (store) await store.dispose();
    if (main) await main.stop().catch(() => undefined);
  }

  /** Cancels the fix in progress (redeploy, stop): its work stops, an applied-but-unproven patch is rolled back. */
  private async cancelIncident(reason: string): Promise<void> {
    const incident = this.incident;
    if (!incident) return;
    this.system(`the fix in progress was cancelled: ${reason}`);
    incident.fix.status = 'failed';
    incident.fix.reason = `cancelled: ${reason}`;
    this.emit({ kind: 'fix', fix: { ...incident.fix } });
    this.incident = null;
    this.pending = null;
    incident.abort.abort();
    await this.work.catch(() => undefined);
    await Promise.allSettled([...this.background]);
    if (this.applied) {
      await this.applier.revert(this.config.workspaceDir, this.applied.patch).catch(() => undefined);
      this.applied = null;
    }
    this.sm.tryGo('CRASHED', `fix cancelled: ${reason}`);
  }

  async stop(): Promise<void> {
    await this.cancelIncident('stopped');
    await this.teardownMain();
    this.sm.tryGo('IDLE', 'stopped');
  }

  async restart(): Promise<void> {
    if (!this.main) return this.deploy();
    await this.cancelIncident('restarted');
    this.crashThisRun = false;
    await this.main.restart();
    if (this.proxyContainerPort !== null) this.announceProxy(this.proxyContainerPort);
    this.to('RUNNING', 'restarted');
  }

  setAutoHealPaused(paused: boolean): void {
    this.paused = paused;
  }

  async raiseMemoryLimit(): Promise<void> {
    const before = this.settings.memoryMb;
    this.settings = { ...this.settings, memoryMb: before * 2 };
    this.system(`raising the memory limit from ${before} MiB to ${this.settings.memoryMb} MiB and restarting`);
    await this.teardownMain();
    this.to('DEPLOYING', `memory limit raised to ${this.settings.memoryMb} MiB`);
    await this.startMain(this.signal);
  }

  async fixNow(): Promise<void> {
    const last = this.lastCrash;
    if (!last || this.incident) return;
    this.startIncident(last.crash, last.at, last.resourceKill, true);
    await this.work;
  }

  // ---------------------------------------------------------------- crashes

  private onCrash(crash: CrashReport, resourceKill?: { memoryLimitMb?: number }): void {
    if (this.disposed) return;
    this.crashThisRun = true;
    const at = Date.now();
    const n = (this.occurrences.get(crash.signature) ?? 0) + 1;
    this.occurrences.set(crash.signature, n);
    // The trace is app output: masked like the log lines before it reaches any consumer.
    const shown: CrashReport = { ...crash, message: this.mask(crash.message), ...(crash.text !== undefined ? { text: this.mask(crash.text) } : {}) };
    this.emit({ kind: 'crash', crash: shown, occurrences: n, at, ...(resourceKill ? { resourceKill } : {}) });
    if (this.watch) {
      if (crash.signature === this.watch.signature) this.watch.fail(`${crash.type} came back after the fix`);
      else this.watch.fail(`a different crash appeared after the fix: ${crash.type}: ${crash.message}`);
      return;
    }
    if (this.incident) {
      // Already fixing (or reviewing) something: a repeat is counted, never fixed twice in parallel.
      if (crash.signature !== this.incident.crash.signature) this.system(`another crash (${crash.type}) while a fix is in progress: recorded; run Fix Now for it once this one is done`);
      this.lastCrash = { crash, resourceKill, at };
      return;
    }
    this.lastCrash = { crash, resourceKill, at };
    if (['RUNNING', 'HEALED', 'FAILED', 'DEPLOYING', 'CRASHED'].includes(this.sm.state)) this.to('CRASHED', `${crash.type}: ${crash.message}`.slice(0, 200));
    if (resourceKill) {
      this.system(`killed for memory: limit ${resourceKill.memoryLimitMb ?? this.settings.memoryMb} MiB. This is not a code bug; raise the limit and restart, or ask the model anyway.`);
      return;
    }
    if (isStdinEof(crash)) {
      this.system(NEEDS_INPUT_ADVICE);
      this.emit({ kind: 'done', healed: false, reason: NEEDS_INPUT_ADVICE, nothingToHeal: 'needs-input' });
      return;
    }
    const ended = this.endedAt.get(crash.signature);
    if (ended !== undefined && at - ended < this.cooldownMs) {
      this.system(`the same crash (${crash.type}) came back within the cool-down; not fixing it again automatically`);
      return;
    }
    if (this.paused) {
      this.system('auto-heal is paused; run Fix Now to fix this crash');
      return;
    }
    this.startIncident(crash, at, undefined, false);
  }

  private startIncident(crash: CrashReport, at: number, resourceKill: { memoryLimitMb?: number } | undefined, forced: boolean): void {
    const { exchange, request, containerPort } = this.linkExchange(crash);
    const fix: FixRecord = {
      id: `fix-${Date.now().toString(36)}-${++this.incidentSeq}`,
      signature: crash.signature,
      crashType: crash.type,
      file: crash.userFrame?.workspaceFile ?? null,
      line: crash.userFrame?.line ?? null,
      status: 'proposed',
      summary: '',
      provider: '',
      model: '',
      attempts: 0,
      crashedAt: at,
    };
    const incident: Incident = {
      id: fix.id,
      crash,
      firstAt: at,
      logTail: this.logTailBefore(crash),
      exchange,
      request,
      containerPort,
      reachable: this.reachableThisRun,
      attempts: 0,
      previousAttempts: [],
      resourceKill,
      fix,
      abort: new AbortController(),
    };
    this.signal.addEventListener('abort', () => incident.abort.abort(), { once: true });
    if (forced && resourceKill) this.system('asking the model about a memory kill, as requested');
    this.incident = incident;
    this.work = this.fixLoop(incident).catch((err) => this.failIncident(incident, toAutoDevError(err).message));
  }

  /** The 20 log lines before the trace (by scanner line number), for the first message. */
  private logTailBefore(crash: CrashReport): string[] {
    const first = crash.lines?.[0];
    const idx = typeof first === 'number' ? this.pushed.findIndex((l) => l.n === first) : -1;
    const end = idx >= 0 ? idx : Math.max(0, this.pushed.length - (crash.text?.split('\n').length ?? 0));
    return this.pushed.slice(Math.max(0, end - LOG_TAIL_LINES), end).map((l) => this.mask(l.text));
  }

  private linkExchange(crash: CrashReport): { exchange: RecordedExchange | null; request: ReplayableRequest | null; containerPort: number | null } {
    if (!this.proxy) return { exchange: null, request: null, containerPort: null };
    const [first, last] = crash.lines ?? [0, 0];
    const from = this.pushed.find((l) => l.n === first)?.time ?? Date.now() - this.quietMs - 500;
    const to = this.pushed.find((l) => l.n === last)?.time ?? from;
    const exchange = this.proxy.exchangeForCrash(from, to);
    if (!exchange) return { exchange: null, request: null, containerPort: null };
    return { exchange, request: this.proxy.replayable(exchange.id), containerPort: this.proxyContainerPort };
  }

  // ---------------------------------------------------------------- fix → verify → review

  private async fixLoop(incident: Incident): Promise<void> {
    const image = this.image;
    if (!image) throw new AutoDevError('NoAppFound', 'Nothing is deployed.');
    this.to('FIXING', `fixing ${incident.crash.type}`);
    let provider = await this.config.provider();
    let toolMode: 'tools' | 'text-json' = 'tools';
    // A capability already known for this (base URL, model) — from an earlier probe — applies at once.
    const known = provider.id === 'builtin' ? undefined : this.capabilities.get(capabilityKey(provider));
    if (known === 'text-json') toolMode = 'text-json';
    if (known === 'none') {
      this.system(`${provider.model} cannot call tools (probed before); using the built-in fixer`);
      provider = new BuiltinFixer();
    }
    let probed = known !== undefined;
    incident.fix.provider = provider.id;
    incident.fix.model = provider.model;
    incident.plan ??= planReproducer({
      crash: incident.crash,
      image,
      exchange: incident.exchange,
      request: incident.request,
      containerPort: incident.containerPort,
      replayUnsafeMethods: this.config.verify.replayUnsafeMethods,
      crashedAtStartup: !incident.reachable,
    });
    const plan = incident.plan;
    if (plan.note) this.system(`reproducer: ${plan.description}: ${plan.note}`);
    incident.verifier ??= new ScratchVerifier({
      workspaceDir: this.config.workspaceDir,
      runtime: this.config.containerRuntime,
      image,
      settings: this.settings,
      workspaceId: this.workspaceId,
      verify: this.config.verify,
      createScanner: (dir) => new CrashScanner({ pathMapper: createPathMapper({ workspaceDir: dir, containerWorkdir: image.workdir, appDir: image.appDir }), quietMs: this.quietMs }),
      scannerQuietMs: this.quietMs,
      mask: (t) => this.mask(t),
      signal: incident.abort.signal,
    });
    const verifier = incident.verifier;
    // Reproduce on the unpatched copy while the model works: it does not depend on the patch.
    const before = this.track(verifier.reproduceBefore(plan, incident.crash).catch(() => undefined));
    this.budget ??= new BudgetTracker({
      limits: { maxCostUsd: this.config.fix.maxCostUsd, dailyCostUsd: this.config.fix.dailyCostUsd, maxTokens: this.config.fix.maxTokens },
      file: this.config.budgetFile,
      onWarn: (message) => this.emit({ kind: 'budget/warn', message }),
    });
    const maxAttempts = Math.max(1, this.config.fix.maxAttempts);
    let lastReason = 'no attempt was made';
    const startAttempt = incident.attempts;
    for (let attempt = startAttempt + 1; attempt <= startAttempt + maxAttempts; attempt++) {
      if (incident.abort.signal.aborted) throw new AutoDevError('Cancelled', 'Cancelled.');
      incident.attempts = attempt;
      incident.fix.attempts = attempt;
      this.to('FIXING', `attempt ${attempt} of ${startAttempt + maxAttempts}`);
      let toolCalls = 0;
      const outcome = await runFixAgent({
        workspaceDir: this.config.workspaceDir,
        crash: incident.crash,
        logTail: incident.logTail,
        provider,
        limits: this.config.fix,
        attempt,
        previousAttempts: incident.previousAttempts,
        masker: this.masker,
        budget: this.budget,
        toolMode,
        onActivity: (activity) => {
          toolCalls++;
          this.emit({ kind: 'agent/tool', activity });
        },
        // One event per request, once its actual tokens and cost are known (also when it failed).
        onRequestDone: (record) => this.emit({ kind: 'model/request', record: { ...record } }),
        signal: incident.abort.signal,
      });
      if (incident.abort.signal.aborted) throw new AutoDevError('Cancelled', 'Cancelled.');
      if (outcome.budgetExceeded) {
        return this.failIncident(incident, `budget reached: ${outcome.reason}. Nothing was applied.`);
      }
      if (!outcome.patch) {
        lastReason = outcome.looping ? outcome.reason : `no patch: ${outcome.reason}`;
        incident.previousAttempts.push({ summary: outcome.reason, diff: '', whyRefused: lastReason });
        this.system(`attempt ${attempt}: ${lastReason}`);
        // A model that answered without a single tool call may not support tools: probe it once (the probe is
        // recorded like any request). Probing only then never disturbs a model that does call tools.
        if (!probed && toolCalls === 0 && !outcome.error && provider.id !== 'builtin') {
          probed = true;
          const choice = await chooseAgentProvider(provider, {
            cache: this.capabilities,
            onRequest: (record) => this.emit({ kind: 'model/request', record: { ...record } }),
            signal: incident.abort.signal,
          }).catch(() => null);
          if (choice?.fallbackReason) {
            this.system(choice.fallbackReason);
            provider = choice.provider;
            incident.fix.provider = provider.id;
            incident.fix.model = provider.model;
          } else if (choice) toolMode = choice.toolMode;
        }
        continue;
      }
      const patch = outcome.patch;
      this.to('VERIFYING', `attempt ${attempt}: verifying in a scratch copy`);
      await before;
      const verification = await verifier.verifyPatch(plan, incident.crash, patch);
      incident.lastVerification = verification;
      this.emit({ kind: 'verify', attempt, result: verification });
      if (incident.abort.signal.aborted) throw new AutoDevError('Cancelled', 'Cancelled.');
      if (verification.passed) return this.propose(incident, patch, verification);
      const rep = verification.reproducer;
      if (plan.kind !== 'none' && rep && !rep.reproduced) {
        return this.failIncident(incident, rep.note ?? `not reproducible: ${plan.description} did not reproduce the crash`, verification);
      }
      lastReason = refusal(verification);
      incident.fix.diff = patch.diff;
      incident.previousAttempts.push({ summary: patch.summary, diff: patch.diff, whyRefused: lastReason });
      this.system(`attempt ${attempt} refused by verification: ${lastReason.split('\n')[0]}`);
    }
    return this.failIncident(incident, `no verified fix after ${maxAttempts} attempt${maxAttempts === 1 ? '' : 's'}: ${lastReason.split('\n')[0]}`, incident.lastVerification);
  }

  private async propose(incident: Incident, patch: PendingPatch, verification: VerificationResult): Promise<void> {
    this.pending = { incident, patch, verification };
    Object.assign(incident.fix, { status: 'proposed', summary: patch.summary, diff: patch.diff, verification, provider: patch.provider || incident.fix.provider, model: patch.model || incident.fix.model });
    this.emit({ kind: 'fix', fix: { ...incident.fix } });
    this.to('REVIEW', 'a verified patch is ready');
    this.emit({ kind: 'patch', patch, verification });
    if (this.config.mode === 'autonomous') await this.applyPending(patch.id);
  }

  async accept(patchId: string): Promise<void> {
    const run = this.work.then(() => this.applyPending(patchId));
    this.work = run.catch(() => undefined);
    return run;
  }

  async reject(patchId: string): Promise<void> {
    const p = this.pending;
    if (!p || p.patch.id !== patchId) throw new AutoDevError('NotFound', 'That patch is no longer pending.');
    this.pending = null;
    p.incident.fix.status = 'rejected';
    this.emit({ kind: 'fix', fix: { ...p.incident.fix } });
    this.endIncident(p.incident);
    this.to(this.main?.running ? 'RUNNING' : 'CRASHED', 'patch rejected');
    this.emit({ kind: 'done', healed: false, reason: 'the patch was rejected', fix: { ...p.incident.fix }, reproducer: p.verification.reproducer });
  }

  private async applyPending(patchId: string): Promise<void> {
    const p = this.pending;
    if (!p || p.patch.id !== patchId) throw new AutoDevError('NotFound', 'That patch is no longer pending.');
    const { incident, patch, verification } = p;
    this.pending = null;
    this.to('VERIFYING', 'applying the patch and watching the app');
    try {
      await this.applier.apply(this.config.workspaceDir, patch);
    } catch (err) {
      const e = toAutoDevError(err);
      if (e.code !== 'PatchConflict') return this.failIncident(incident, `could not apply the patch: ${e.message}`, verification);
      // The user changed a file while the patch was in review: never clobber, plan again from the current files.
      this.emit({ kind: 'error', code: e.code, message: e.message });
      incident.previousAttempts.push({ summary: patch.summary, diff: patch.diff, whyRefused: `${e.message} The files changed since this patch was computed; plan again from their current content.` });
      this.to('FIXING', 'the files changed during review; planning again');
      return this.fixLoop(incident);
    }
    this.applied = { patch };
    incident.fix.status = 'applied';
    this.emit({ kind: 'fix', fix: { ...incident.fix } });
    const failure = await this.watchInPlace(incident);
    if (failure) {
      await this.applier.revert(this.config.workspaceDir, patch).catch((err) => this.emit({ kind: 'error', code: 'PatchConflict', message: `rolling back failed: ${String(err)}` }));
      this.applied = null;
      incident.fix.status = 'reverted';
      this.system(`rolled back: ${failure}`);
      if (this.main && !this.disposed) {
        this.crashThisRun = false;
        await this.main.restart().catch(() => undefined);
        if (this.proxyContainerPort !== null) this.announceProxy(this.proxyContainerPort);
      }
      return this.failIncident(incident, `the fix did not hold in the workspace (${failure}); the files were restored`, verification);
    }
    this.applied = null;
    const healedAt = Date.now();
    Object.assign(incident.fix, { healedAt, mttrMs: healedAt - incident.firstAt });
    if (this.config.git.commit) await this.commit(incident, patch, verification);
    this.emit({ kind: 'fix', fix: { ...incident.fix } });
    this.endIncident(incident);
    this.to('HEALED', `${incident.crash.type} fixed in ${Math.round((incident.fix.mttrMs ?? 0) / 100) / 10} s`);
    this.emit({ kind: 'done', healed: true, reason: incident.fix.summary || 'healed', fix: { ...incident.fix }, reproducer: verification.reproducer, mttrMs: incident.fix.mttrMs });
  }

  /** Restarts the app on the patched files and watches it; returns why it failed, or null when it held. */
  private async watchInPlace(incident: Incident): Promise<string | null> {
    const main = this.main;
    if (!main) return null;
    let failure: string | null = null;
    let wake!: () => void;
    const woke = new Promise<void>((r) => (wake = r));
    this.watch = {
      signature: incident.crash.signature,
      fail: (reason) => {
        failure ??= reason;
        wake();
      },
    };
    try {
      this.crashThisRun = false;
      await main.restart();
      if (this.proxyContainerPort !== null) this.announceProxy(this.proxyContainerPort);
      const plan = incident.plan;
      const windowMs = Math.max(0.5, this.config.verify.windowSeconds) * 1000;
      if (plan?.kind === 'http') {
        const host = main.publishedPorts.get(plan.containerPort);
        const deadline = Date.now() + 20_000;
        let r = null as Awaited<ReturnType<typeof replayRequest>> | null;
        while (host && !failure && Date.now() < deadline && !incident.abort.signal.aborted) {
          r = await replayRequest(`http://127.0.0.1:${host}`, plan.request, 15_000, incident.abort.signal);
          if (r.status !== null || !main.running) break;
          await abortableDelay(200, incident.abort.signal);
        }
        if (!failure && r && (r.status === null || r.status >= 500)) failure = `${plan.description} -> ${describeResponse(r)} after the fix`;
      }
      if (!failure) await Promise.race([woke, abortableDelay(windowMs, incident.abort.signal)]);
      this.scanner?.flush();
      if (incident.abort.signal.aborted && !failure) failure = 'cancelled';
      return failure;
    } catch (err) {
      // A restart that fails (container removed, engine gone) is a failed watch: the caller rolls the files back.
      return failure ?? `the app could not be restarted on the patched files: ${toAutoDevError(err).message}`;
    } finally {
      this.watch = null;
    }
  }

  private async commit(incident: Incident, patch: PendingPatch, verification: VerificationResult): Promise<void> {
    // The trace and message are app output: masked before they reach git history (and a push).
    const message = this.mask(buildCommitMessage({ crash: incident.crash, patch, attempts: incident.attempts, verification }));
    try {
      if (!(await this.gitPort.isRepo(this.config.workspaceDir))) throw new AutoDevError('GitError', 'The workspace is not a git repository; the fix was applied but not committed.');
      const branch = this.config.git.branch === 'fix-branch' ? fixBranchName(incident.crash.signature) : undefined;
      const sha = await this.gitPort.commit(this.config.workspaceDir, patch.files.map((f) => f.path), message, branch);
      incident.fix.commit = sha;
      incident.fix.status = 'committed';
      this.emit({ kind: 'commit', sha, message, ...(branch ? { branch } : {}) });
      if (this.config.git.autoPush) {
        try {
          await this.gitPort.push(this.config.workspaceDir);
          incident.fix.status = 'pushed';
          this.emit({ kind: 'push', ok: true, message: 'pushed to the upstream' });
        } catch (err) {
          const e = toAutoDevError(err);
          this.emit({ kind: 'push', ok: false, message: e.message });
          this.emit({ kind: 'error', code: e.code, message: e.message });
        }
      }
    } catch (err) {
      const e = toAutoDevError(err);
      this.emit({ kind: 'error', code: e.code, message: e.message });
    }
  }

  private failIncident(incident: Incident, reason: string, verification?: VerificationResult): void {
    if (this.incident !== incident) return;
    if (this.disposed) {
      this.incident = null;
      return;
    }
    if (incident.fix.status !== 'reverted') incident.fix.status = 'failed';
    incident.fix.reason = reason;
    if (verification) incident.fix.verification = verification;
    this.emit({ kind: 'fix', fix: { ...incident.fix } });
    this.endIncident(incident);
    this.sm.tryGo('FAILED', reason);
    const reproducer: ReproducerResult | undefined = verification?.reproducer ?? incident.lastVerification?.reproducer;
    this.emit({ kind: 'done', healed: false, reason, fix: { ...incident.fix }, ...(reproducer ? { reproducer } : {}) });
  }

  private endIncident(incident: Incident): void {
    this.endedAt.set(incident.crash.signature, Date.now());
    if (this.incident === incident) this.incident = null;
  }

  /**
   * Gives up (the CLI's --timeout-seconds): the incident in progress ends FAILED, or the session does when none is;
   * emits `done`. Containers stop and an applied-but-unproven patch is rolled back on dispose.
   */
  giveUp(reason: string): void {
    if (this.disposed) return;
    const incident = this.incident;
    if (incident) return this.failIncident(incident, reason, incident.lastVerification);
    this.pending = null;
    this.sm.tryGo('FAILED', reason);
    this.emit({ kind: 'done', healed: false, reason });
  }

  // ---------------------------------------------------------------- teardown

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.abort.abort();
    // A patch applied but not yet proven is rolled back: nothing is left half-done.
    await this.work.catch(() => undefined);
    await Promise.allSettled([...this.background]);
    if (this.applied) {
      await this.applier.revert(this.config.workspaceDir, this.applied.patch).catch(() => undefined);
      this.applied = null;
    }
    await this.teardownMain();
    await this.store.dispose();
  }
}

/** Says why verification refused a patch, with the scratch output, for the next attempt's prompt. */
function refusal(v: VerificationResult): string {
  const failed = v.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`);
  const tail = (v.outputTail ?? []).slice(-15).join('\n');
  return `${failed.join('; ') || 'verification failed'}${tail ? `\nOutput of the verification run:\n${tail}` : ''}`;
}

function syntheticExitCrash(type: string, message: string): CrashReport {
  return { language: 'process', type, message, frames: [], userFrame: null, signature: `${type}|${message}`, lines: [0, 0], text: message };
}

/** A build event as the heal loop reports it: steps and notes in words, with the step number for progress bars. */
function buildEvent(e: BuildEvent): HealEvent {
  if (e.kind === 'step') return { kind: 'build', text: `step ${e.index}/${e.total}: ${e.text}`, step: { index: e.index, total: e.total } };
  if (e.kind === 'note') return { kind: 'build', text: e.text, note: true };
  return { kind: 'build', text: e.text };
}

/** Typed errors keep their code; anything else is reported as `Internal` with its message. */
function toAutoDevError(err: unknown): { code: string; message: string } {
  if (isAutoDevError(err)) return err;
  if ((err as { name?: string })?.name === 'AbortError') return new AutoDevError('Cancelled', 'Cancelled.');
  return { code: 'Internal', message: err instanceof Error ? err.message : String(err) };
}
