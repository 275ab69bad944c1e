/**
 * The deployed app: build, the main container and its log (into the crash scanner first, then masked to the
 * consumers), the recording proxy in front of it, and the secrets it reveals. The session decides what a crash or an
 * exit means; this module only runs the app and reports.
 */
import type { CrashReport } from '../crash/crashReport';
import { CrashScanner } from '../crash/crashScanner';
import { createPathMapper } from '../crash/pathMapper';
import type { SecretMasker } from '../privacy/secretMasker';
import { abortableDelay } from '../common/abortableDelay';
import { logFailure, type Logger } from '../common/logger';
import { AutoDevError } from '../errors';
import { DisposableStore, toDisposable, type Disposable } from '../lifecycle';
import type { AppImage, BuildEvent, ContainerExit, ContainerRuntime, ContainerSession, LogLine, RuntimeSettings } from '../runtime/containerRuntime';
import { RecordingProxy, type RecordedExchange, type ReplayableRequest, type SampledExchange } from '../replay/recordingProxy';
import { probeListening } from '../replay/portProbe';
import { writeReplayState } from '../replay/replayStateFile';
import { RunReadiness, type Readiness } from '../runtime/runReadiness';
import { STARTUP_FLOORS, StartupTimes } from '../runtime/startupTimes';
import type { HealEvent } from './healEvents';

/** Lines kept for the agent's log tail and the crash linking (by scanner line number). */
const LOG_RING = 400;
/** Log lines before the trace sent with the first message (as the original system did). */
const LOG_TAIL_LINES = 20;

export interface AppRunHooks {
  log(line: LogLine): void;
  build(e: BuildEvent): void;
  proxy(url: string, containerPort: number): void;
  /** A crash the scanner found in the log (exit-based crashes are the session's to decide). */
  crash(crash: CrashReport): void;
  /** A trace the scanner found complete, announced before its final report (`crash`). */
  crashSeen(crash: CrashReport): void;
  /** The main container ended (after the scanner was flushed). */
  exit(exit: ContainerExit): void;
}

export interface AppRunOptions {
  workspaceDir: string;
  workspaceId: string;
  runtime: ContainerRuntime;
  settings: RuntimeSettings;
  quietMs: number;
  proxyPort?: number;
  writeReplayState: boolean;
  /** The workspace's one masker; it learns the credentials the proxy sees. */
  masker: SecretMasker;
  /** Aborted when the session is disposed. */
  lifetime: AbortSignal;
  logger: Logger;
  hooks: AppRunHooks;
}

export class AppRun implements Disposable {
  private readonly store = new DisposableStore();
  settings: RuntimeSettings;
  image: AppImage | null = null;
  main: ContainerSession | null = null;
  private mainStore: DisposableStore | null = null;
  private scanner: CrashScanner | null = null;
  private proxy: RecordingProxy | null = null;
  private proxyContainerPort: number | null = null;
  /** The container port the app was seen listening on (found in its socket table or answering), if ever. */
  private listenedPort: number | null = null;
  /** Lines pushed to the scanner, by scanner line number (1-based), with the container run that wrote them. */
  private pushed: { n: number; text: string; time: number; run?: number }[] = [];
  /** When each run of the main container is ready (its port answers, or its first line). */
  private readiness: RunReadiness | null = null;
  /** The last run whose first line was seen (start-ups of apps without a port are measured to their first line). */
  private firstLineRun = 0;
  /** This app's measured start-ups: every wait that includes a start scales with them (scratch runs add to them). */
  readonly startup = new StartupTimes();
  private pushCount = 0;
  private announceGen = 0;
  /** Whether a crash was seen in the current run of the container (an exit after it adds nothing). */
  crashedThisRun = false;
  /** Whether the app answered through the proxy in the current run. */
  reachableThisRun = false;

  constructor(private readonly o: AppRunOptions) {
    this.settings = { ...o.settings };
  }

  get proxyUrl(): string | null {
    return this.proxy?.url ?? null;
  }

  exchanges(): RecordedExchange[] {
    return this.proxy?.exchanges() ?? [];
  }

  /** The proxy's successful exchanges per route, for differential replay. */
  samples(): SampledExchange[] {
    return this.proxy?.samples() ?? [];
  }

  async build(signal: AbortSignal): Promise<AppImage> {
    await this.o.runtime.ping();
    this.image = await this.o.runtime.buildImage(this.o.workspaceDir, this.settings, (e) => this.o.hooks.build(e), signal);
    return this.image;
  }

  /** Starts the main container on the built image and wires its log and exit. */
  async start(signal: AbortSignal): Promise<void> {
    const image = this.image;
    if (!image) throw new AutoDevError('NoAppFound', 'Nothing is deployed yet: deploy the workspace first.');
    const session = await this.o.runtime.start(image, {
      sourceDir: this.o.workspaceDir,
      role: 'main',
      workspaceId: this.o.workspaceId,
      settings: this.settings,
      signal,
    });
    if (this.o.lifetime.aborted) {
      await session.stop().catch(() => undefined);
      throw new AutoDevError('Cancelled', 'Deploy cancelled.');
    }
    const store = new DisposableStore();
    this.main = session;
    this.mainStore = store;
    this.crashedThisRun = false;
    this.reachableThisRun = false;
    const scanner = store.register(this.createScanner(this.o.workspaceDir, true));
    this.scanner = scanner;
    this.pushed = [];
    this.pushCount = 0;
    this.firstLineRun = 0;
    const sub = scanner.onCrash((crash: CrashReport) => {
      // A late trace of the run before a restart says nothing about the current run.
      if (crash.run === undefined || crash.run === session.currentRun) this.crashedThisRun = true;
      this.o.hooks.crash(crash);
    });
    if (sub) store.register(sub as Disposable);
    store.register(scanner.onCrashSeen((crash) => {
      if (crash.run === undefined || crash.run === session.currentRun) this.o.hooks.crashSeen(crash);
    }));
    store.register(session.onLine((line) => this.onLine(line)));
    // Subscribed with the log, before anything can be missed: the first line of every run is seen.
    this.readiness = store.register(new RunReadiness(session));
    store.register(session.onExit((exit) => {
      this.scanner?.flush();
      this.o.hooks.exit(exit);
    }));
    // The output ending is the earliest sign of an exit: a trace still waiting for its quiet period is complete.
    const ended = session.onOutputEnd?.(() => this.scanner?.flush());
    if (ended) store.register(ended);
  }

  /**
   * A scanner that maps paths of the image's workdir into `dir` (the workspace or a scratch copy); `early` for the
   * main run, whose complete traces are announced before their final report.
   */
  createScanner(dir: string, early = false): CrashScanner {
    const workdir = this.image?.workdir ?? '/app';
    return new CrashScanner({ pathMapper: createPathMapper({ workspaceDir: dir, containerWorkdir: workdir, appDir: this.image?.appDir }), quietMs: this.o.quietMs, early });
  }

  /** Puts the recording proxy in front of the app. */
  async startProxy(): Promise<void> {
    // The proxy follows the port the app really listens on (found in the container), not only the declared one.
    await this.ensureProxy(this.image?.ports[0] ?? 0);
  }

  /** Restarts the same container (the bind mount picks up patched files) and announces the proxy again. */
  async restart(): Promise<void> {
    const main = this.main;
    if (!main) return;
    this.crashedThisRun = false;
    await main.restart();
    if (this.proxyContainerPort !== null) this.announceProxy(this.proxyContainerPort);
  }

  /**
   * Waits until run `run` of the main container is ready — its port answers (the proxied one, else the image's), or,
   * without a port, it wrote a line — within a wait scaled from this app's measured start-ups; records the start-up.
   */
  async waitReady(run: number, signal?: AbortSignal): Promise<Readiness> {
    const readiness = this.readiness;
    if (!readiness) return { ready: false, run, afterMs: 0, why: 'exited', detail: 'the app is not running' };
    // Ready means "its port answers" only for an app seen listening; a script that never opens the image's default
    // port is ready at its first line (waiting for that port would time out and fail a good fix).
    const port = this.listenedPort ?? undefined;
    const ready = await readiness.wait({ run, port, timeoutMs: this.startup.budget(STARTUP_FLOORS.readyMs), signal });
    if (ready.ready) this.startup.record(ready.afterMs);
    return ready;
  }

  /**
   * Whether run `run` of the app is, or becomes, ready after its crash: a service still running after a crash in a
   * thread was not crashing at start-up, however long its start took on this machine. Decided by the run, not by
   * whether the proxy had announced it before the crash (a race on a busy machine).
   */
  async survivedCrash(run: number | undefined, signal?: AbortSignal): Promise<boolean> {
    const main = this.main;
    if (this.reachableThisRun) return true;
    if (!main || run === undefined || run !== main.currentRun || !main.running) return false;
    return (await this.waitReady(run, signal)).ready && main.running && main.currentRun === run;
  }

  /** The last line run `run` of the app wrote (evidence for an exit), if it is still in the ring. */
  lastLineOf(run: number | undefined): string | undefined {
    for (let i = this.pushed.length - 1; i >= 0; i--) {
      const l = this.pushed[i];
      if ((run === undefined || l.run === run) && l.text.trim()) return l.text;
    }
    return undefined;
  }

  flushScanner(): void {
    this.scanner?.flush();
  }

  private onLine(line: LogLine): void {
    // Detection first: it never waits on masking or on the consumers of the log event.
    if (line.stream !== 'system') {
      this.pushCount++;
      this.pushed.push({ n: this.pushCount, text: line.text, time: line.time, run: line.run });
      if (this.pushed.length > LOG_RING) this.pushed.shift();
      this.scanner?.push(line.text, line.stream, line.run);
      this.measureFirstLine(line);
    }
    const text = this.o.masker.maskText(line.text);
    this.o.hooks.log(text === line.text ? line : { ...line, text });
  }

  /** An app without a port is ready at its first line: that is its start-up on this machine, now. */
  private measureFirstLine(line: LogLine): void {
    const main = this.main;
    if (!main || line.run === undefined || line.run <= this.firstLineRun || line.run !== main.currentRun) return;
    this.firstLineRun = line.run;
    if (this.proxyContainerPort === null && !this.image?.ports.length) this.startup.record(line.time - main.runStartedAt);
  }

  private async ensureProxy(containerPort: number): Promise<void> {
    if (!this.proxy) {
      const proxy = new RecordingProxy({
        target: () => {
          const host = this.main?.publishedPorts.get(this.proxyContainerPort ?? containerPort);
          return host ? `http://127.0.0.1:${host}` : null;
        },
        port: this.o.proxyPort,
        masker: this.o.masker,
      });
      this.proxy = this.store.register(proxy);
      this.proxyContainerPort = containerPort;
      await proxy.listen();
      if (this.o.writeReplayState) {
        let timer: NodeJS.Timeout | null = null;
        const write = () => {
          timer = null;
          void writeReplayState(this.o.workspaceDir, { pid: process.pid, proxyUrl: proxy.url, containerPort, updatedAt: Date.now(), exchanges: proxy.exchanges() }).catch(logFailure(this.o.logger, 'runtime', 'writing the replay file'));
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
    const proxy = this.proxy;
    if (!proxy || !session) return;
    void (async () => {
      const budget = this.startup.budget(STARTUP_FLOORS.announceMs);
      const deadline = Date.now() + budget;
      // Which port the app listens on, read in its container (re-published if it was not): the proxy targets it.
      const found = await session.appPort(budget, this.o.lifetime).catch(() => null);
      if (found !== null && this.main === session && gen === this.announceGen) {
        containerPort = found;
        this.proxyContainerPort = found;
        this.listenedPort = found;
      }
      while (!this.o.lifetime.aborted && this.main === session && gen === this.announceGen && Date.now() < deadline && session.running) {
        const host = session.publishedPorts.get(containerPort);
        // No probe request: one could itself crash a buggy app (and it would not go through the proxy).
        if (host && (await probeListening(host))) {
          this.reachableThisRun = true;
          this.listenedPort = containerPort;
          // Reachable: that is this run's start-up (waits that include a start scale with it).
          if (session.runStartedAt) this.startup.record(Date.now() - session.runStartedAt);
          this.o.hooks.proxy(proxy.url!, containerPort);
          return;
        }
        await abortableDelay(200, this.o.lifetime);
      }
    })();
  }

  /** The 20 log lines before the trace (by scanner line number), masked, for the first message. */
  logTailBefore(crash: CrashReport): string[] {
    const first = crash.lines?.[0];
    const idx = typeof first === 'number' ? this.pushed.findIndex((l) => l.n === first) : -1;
    const end = idx >= 0 ? idx : Math.max(0, this.pushed.length - (crash.text?.split('\n').length ?? 0));
    return this.pushed.slice(Math.max(0, end - LOG_TAIL_LINES), end).map((l) => this.o.masker.maskText(l.text));
  }

  /** The recorded request that was in flight when `crash` was logged, if any. */
  linkExchange(crash: CrashReport): { exchange: RecordedExchange | null; request: ReplayableRequest | null; containerPort: number | null } {
    if (!this.proxy) return { exchange: null, request: null, containerPort: null };
    const [first, last] = crash.lines ?? [0, 0];
    const from = this.pushed.find((l) => l.n === first)?.time ?? Date.now() - this.o.quietMs - 500;
    const to = this.pushed.find((l) => l.n === last)?.time ?? from;
    // The run that wrote the trace bounds the exchanges it can belong to, whatever the log's delay.
    const main = this.main;
    const runStartedAt = main && (crash.run === undefined || crash.run === main.currentRun) ? main.runStartedAt || undefined : undefined;
    const exchange = this.proxy.exchangeForCrash(from, to, undefined, runStartedAt);
    if (!exchange) return { exchange: null, request: null, containerPort: null };
    return { exchange, request: this.proxy.replayable(exchange.id), containerPort: this.proxyContainerPort };
  }

  /** Stops and removes the main container (the proxy stays for the next run). */
  async teardown(): Promise<void> {
    const store = this.mainStore;
    const main = this.main;
    this.mainStore = null;
    this.main = null;
    this.scanner = null;
    if (store) await store.dispose();
    if (main) await main.stop().catch(logFailure(this.o.logger, 'runtime', 'stopping the app container'));
  }

  async dispose(): Promise<void> {
    await this.teardown();
    await this.store.dispose();
  }
}

/** A build event as the heal loop reports it: steps and notes in words, with the step number for progress bars. */
export function buildEvent(e: BuildEvent): HealEvent {
  if (e.kind === 'step') return { kind: 'build', text: `step ${e.index}/${e.total}: ${e.text}`, step: { index: e.index, total: e.total } };
  if (e.kind === 'note') return { kind: 'build', text: e.text, note: true };
  return { kind: 'build', text: e.text };
}
