/**
 * A running AutoDev container over dockerode: attaches before start (no line lost), turns frames into ordered
 * LogLines, takes the exit from `wait` (authoritative, not stream end) and re-follows the logs when the attach
 * stream dies under a still-running container (daemon restart with live-restore). A container the engine itself
 * stopped (a restart without live-restore) is reported as `engineRestarted`, not as an app crash.
 */
import type Docker from 'dockerode';
import { AutoDevError } from '../errors';
import type { ContainerRun, LogStream } from './containerRuntime';
import { LogDecoder, type DecodedLine } from './logDecoder';
import { LoopbackForwarder, isolatedAddress } from './isolatedNetwork';
import { abortableDelay } from '../common/abortableDelay';
import { RunSessionBase } from './sessionEvents';
import { WAIT_POLL_MS, exitFromInspect, stoppedByEngine, type EngineOutage, type EngineState } from './containerExitInfo';
import { overlap } from './logBackfill';

/** How long `stop` lets the app shut down before SIGKILL (Init: true forwards SIGTERM to it). */
const STOP_TIMEOUT_S = 2;
/** After `wait` reports the exit, how long to let the output stream drain before reporting the exit. */
const DRAIN_MS = 3000;
/** Lines remembered per stream to de-duplicate a backfill after re-following. */
const RECENT_LINES = 200;
const MAX_BACKOFF_MS = 5000;

export interface DockerSessionOptions {
  /** Runs between stop and start on restart (a remote engine: copy the changed files in); returns a note to show. */
  beforeRestart?: () => Promise<string | undefined>;
  /** The container is on the internal network; these ports are reached through forwarders. */
  isolatedPorts?: readonly number[];
  /** The engine's live-restore setting and its clock (undefined: unreachable), read when an exit follows an outage. */
  engineState?: EngineState;
  /** Runs once the container is removed (e.g. to remove the mount points made for it). */
  onRemoved?: () => void;
  /** Runs when a run of the container has ended on its own (not stopped or restarted by us), before its exit event. */
  afterExit?: () => void;
}

interface Run {
  readonly n: number;
  /** Set by stop/restart: the exit of this run is ours, not the app's; do not report it. */
  suppressExit: boolean;
  ended: boolean;
  stream?: NodeJS.ReadableStream;
  /** Resolves when the current output stream has ended. */
  drained: Promise<void>;
  markDrained: () => void;
  /** Resolves when this run's exit has been handled. */
  finished: Promise<void>;
  lastDataAt: number;
  /** When this run was asked to start (ms since epoch). */
  startedAt: number;
  /** When the engine did not answer during this run (local clock; `to` unset while it still does not). */
  outages: EngineOutage[];
}

function httpStatus(err: unknown): number | undefined {
  return (err as { statusCode?: number })?.statusCode;
}

const delay = (ms: number) => abortableDelay(ms);


export class DockerContainerSession extends RunSessionBase<Run> implements ContainerRun {
  readonly publishedPorts = new Map<number, number>();
  private seq = 0;
  private runs = 0;
  private stopped = false;
  private gone = false;
  private readonly recent: Record<LogStream, string[]> = { stdout: [], stderr: [], system: [] };

  /** Forwarders to the container's ports when it runs on the isolated network (nothing is published there). */
  private forwarders: LoopbackForwarder[] = [];

  constructor(
    private readonly container: Docker.Container,
    private readonly options: DockerSessionOptions = {},
  ) {
    super();
  }

  get id(): string {
    return this.container.id;
  }

  /** Attaches, then starts the container (first run, and every restart). */
  async begin(): Promise<void> {
    let markDrained!: () => void;
    let markFinished!: () => void;
    const run: Run = {
      n: ++this.runs,
      suppressExit: false,
      ended: false,
      drained: new Promise<void>((r) => (markDrained = r)),
      markDrained: () => markDrained(),
      finished: new Promise<void>((r) => (markFinished = r)),
      lastDataAt: Date.now(),
      startedAt: Date.now(),
      outages: [],
    };
    this.current = run;
    const stream = await this.container.attach({ stream: true, stdout: true, stderr: true, logs: false });
    this.follow(run, stream, new LogDecoder((l) => this.emit(run, l)));
    try {
      await this.container.start();
    } catch (err) {
      run.ended = true;
      run.suppressExit = true;
      (stream as unknown as { destroy?: () => void }).destroy?.();
      markFinished();
      throw err;
    }
    this.isRunning = true;
    void this.watchExit(run).finally(markFinished);
    await this.refreshPorts();
  }

  /** Host ports are chosen by Docker at each start, so they are read again after a restart. */
  private async refreshPorts(): Promise<void> {
    const info = await this.container.inspect().catch(() => undefined);
    if (!info) return;
    this.publishedPorts.clear();
    if (this.options.isolatedPorts) {
      const address = isolatedAddress(info);
      const old = this.forwarders.splice(0);
      await Promise.all(old.map((f) => f.close()));
      if (!address || this.stopped) return;
      for (const port of this.options.isolatedPorts) {
        const f = await LoopbackForwarder.open(address, port);
        this.forwarders.push(f);
        this.publishedPorts.set(port, f.localPort);
      }
      return;
    }
    for (const [key, binds] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
      const hostPort = binds?.find((b) => b.HostIp === '127.0.0.1')?.HostPort ?? binds?.[0]?.HostPort;
      if (hostPort) this.publishedPorts.set(Number.parseInt(key, 10), Number.parseInt(hostPort, 10));
    }
  }

  async restart(): Promise<void> {
    if (this.stopped) throw new AutoDevError('ContainerGone', 'This container was stopped; deploy again.');
    if (this.gone) throw this.goneError();
    const old = this.current;
    if (old) old.suppressExit = true;
    try {
      await this.container.stop({ t: STOP_TIMEOUT_S });
    } catch (err) {
      if (httpStatus(err) === 404) {
        this.gone = true;
        throw this.goneError();
      }
      if (httpStatus(err) !== 304) throw err; // 304: already stopped
    }
    if (old) await old.finished;
    const note = await this.options.beforeRestart?.();
    if (note) this.note(note);
    await this.begin();
  }

  /** Shows a line of AutoDev's own about this container (a `system` line of the current run). */
  note(text: string): void {
    this.lines.fire({ stream: 'system', text, time: Date.now(), seq: ++this.seq, ...(this.current ? { run: this.current.n } : {}) });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const run = this.current;
    if (run) run.suppressExit = true;
    await this.container.stop({ t: STOP_TIMEOUT_S }).catch(() => undefined);
    try {
      await this.container.remove({ force: true, v: true }).catch((err) => {
        if (httpStatus(err) !== 404) throw err;
      });
    } finally {
      this.options.onRemoved?.();
    }
    this.isRunning = false;
    await Promise.all(this.forwarders.splice(0).map((f) => f.close()));
    if (run) await Promise.race([run.finished, delay(DRAIN_MS)]);
    this.disposeEvents();
  }

  dispose(): Promise<void> {
    return this.stop();
  }

  private goneError(): AutoDevError {
    return new AutoDevError(
      'ContainerGone',
      `Container ${this.id.slice(0, 12)} was removed outside AutoDev (docker rm, prune, or a daemon reset). Deploy again.`,
    );
  }

  private emit(run: Run, l: DecodedLine | { stream: LogStream; text: string; truncated?: boolean }): void {
    if (run !== this.current && run.ended) return;
    const ring = this.recent[l.stream];
    ring.push(l.text);
    if (ring.length > RECENT_LINES) ring.shift();
    this.lines.fire({ stream: l.stream, text: l.text, time: Date.now(), seq: ++this.seq, run: run.n, ...(l.truncated ? { truncated: true } : {}) });
  }

  private system(run: Run, text: string): void {
    this.emit(run, { stream: 'system', text });
  }

  /** Pumps one output stream into the decoder; when it ends early, re-follows. */
  private follow(run: Run, stream: NodeJS.ReadableStream, decoder: LogDecoder): void {
    run.stream = stream;
    let done = false;
    stream.on('data', (chunk: Buffer) => {
      run.lastDataAt = Date.now();
      decoder.push(chunk);
    });
    const onEnd = () => {
      if (done) return;
      done = true;
      this.outputEnds.fire();
      if (run.ended || this.stopped || run.suppressExit) {
        decoder.flush();
        run.markDrained();
        return;
      }
      void this.recover(run, decoder);
    };
    stream.on('end', onEnd);
    stream.on('close', onEnd);
    stream.on('error', onEnd);
  }

  /**
   * The stream ended. If the container still runs (the daemon dropped the connection), re-follow the logs from
   * just before the last data, de-duplicating what was already shown; otherwise the output is complete.
   */
  private async recover(run: Run, decoder: LogDecoder): Promise<void> {
    let backoff = 250;
    let warned = false;
    for (;;) {
      if (run.ended || this.stopped || run !== this.current) break;
      let info: Docker.ContainerInspectInfo;
      try {
        info = await this.container.inspect();
      } catch (err) {
        if (httpStatus(err) === 404) break;
        this.down(run);
        if (!warned) this.system(run, `lost the connection to Docker; retrying (${(err as Error).message})`);
        warned = true;
        await delay(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        continue;
      }
      this.up(run);
      if (!info.State.Running) break;
      try {
        // Partial tails are dropped: the backfill repeats those lines whole.
        decoder.reset();
        const since = ((run.lastDataAt - 5000) / 1000).toFixed(3);
        const last = await this.backfill(run, since);
        const stream = (await this.container.logs({
          follow: true,
          stdout: true,
          stderr: true,
          timestamps: true,
          since: (last ? Date.parse(last.slice(0, 19) + 'Z') / 1000 : Number(since)) as unknown as number,
        })) as unknown as NodeJS.ReadableStream;
        this.system(run, 'log stream was interrupted; re-attached to the container output');
        this.follow(
          run,
          stream,
          new LogDecoder((l) => {
            // Lines up to the last backfilled timestamp were already shown.
            if (last && l.tsKey && l.tsKey <= last) return;
            this.emit(run, l);
          }, { timestamps: true }),
        );
        return;
      } catch (err) {
        if (httpStatus(err) === 404) break;
        if (!warned) this.system(run, `lost the container output; retrying (${(err as Error).message})`);
        warned = true;
        await delay(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
    decoder.flush();
    run.markDrained();
  }

  /** Emits the lines logged since `since` that were not shown yet; returns the last timestamp key seen. */
  private async backfill(run: Run, since: string): Promise<string | undefined> {
    const buf = (await this.container.logs({
      follow: false,
      stdout: true,
      stderr: true,
      timestamps: true,
      since: since as unknown as number,
    })) as unknown as Buffer;
    const lines: DecodedLine[] = [];
    const decoder = new LogDecoder((l) => lines.push(l), { timestamps: true });
    decoder.push(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
    decoder.flush();
    let last: string | undefined;
    for (const stream of ['stdout', 'stderr'] as const) {
      const mine = lines.filter((l) => l.stream === stream);
      const skip = overlap(this.recent[stream], mine.map((l) => l.text));
      for (const l of mine.slice(skip)) this.emit(run, l);
    }
    for (const l of lines) if (l.tsKey && (!last || l.tsKey > last)) last = l.tsKey;
    return last;
  }

  /**
   * Resolves 'exited' when the container is seen stopped or gone, 'retry' when the engine answers again after
   * failing to (an outage: the pending wait is likely dead); never resolves otherwise until `signal` aborts.
   */
  private async pollLiveness(run: Run, signal: AbortSignal): Promise<'exited' | 'retry'> {
    let failed = false;
    while (!signal.aborted) {
      await delay(WAIT_POLL_MS);
      if (signal.aborted) break;
      try {
        const info = await this.container.inspect();
        this.up(run);
        if (!info.State.Running) return 'exited';
        if (failed) return 'retry';
      } catch (err) {
        if (httpStatus(err) === 404) return 'exited';
        failed = true;
        this.down(run);
      }
    }
    return new Promise<never>(() => undefined);
  }

  /**
   * Lets the output stream finish after the exit: it normally ends by itself; while data still flows the wait goes
   * on, and a stream that stays silent for DRAIN_MS is given up on (a daemon that never closes it).
   */
  private async drain(run: Run): Promise<void> {
    let drained = false;
    void run.drained.then(() => (drained = true));
    const since = Date.now();
    while (!drained && Date.now() - Math.max(run.lastDataAt, since) < DRAIN_MS) {
      await Promise.race([run.drained, delay(100)]);
    }
  }

  /**
   * Waits for the exit. `wait` is authoritative, but its HTTP response hangs forever when the daemon connection
   * drops mid-body (docker-modem never sees the error), so a slow inspect poll runs beside it: when the engine
   * answers again after an outage the wait is re-issued, and a container found stopped ends the wait at once.
   */
  private async watchExit(run: Run): Promise<void> {
    let info: Docker.ContainerInspectInfo | undefined;
    for (;;) {
      const abort = new AbortController();
      const waited = this.container.wait({ abortSignal: abort.signal }).then(
        () => 'exited' as const,
        (err) => (httpStatus(err) === 404 ? ('exited' as const) : ('retry' as const)),
      );
      const outcome = await Promise.race([waited, this.pollLiveness(run, abort.signal)]);
      abort.abort();
      if (outcome === 'retry') await delay(WAIT_POLL_MS);
      try {
        info = await this.container.inspect();
        this.up(run);
        if (info.State.Running && !this.stopped) continue;
        if (!this.stopped && !run.suppressExit && (info.State.Status === 'removing' || info.State.ExitCode === 137) && !info.State.OOMKilled) {
          // `docker rm -f` kills first and removes a moment later: tell that apart from a plain SIGKILL.
          await delay(300);
          info = await this.container.inspect().catch((err) => (httpStatus(err) === 404 ? undefined : info));
        }
        break;
      } catch (err) {
        if (httpStatus(err) === 404) {
          info = undefined;
          break;
        }
        // The engine is away: poll until it answers again, then wait anew.
        this.down(run);
        await delay(WAIT_POLL_MS);
      }
    }
    await this.drain(run);
    // Before the exit is reported: what the hook says about the run (a note) comes ahead of it.
    if (!run.suppressExit) this.options.afterExit?.();
    const byEngine = !run.suppressExit && !this.stopped && info ? await stoppedByEngine(run.outages, info, this.options.engineState) : false;
    run.ended = true;
    if (run === this.current) this.isRunning = false;
    if (run.suppressExit) return;
    if (byEngine) {
      this.system(
        run,
        `the Docker engine restarted without live-restore and stopped container ${this.id.slice(0, 12)} (it was not an app crash). ` +
          `Deploy again to start the app anew; enable "live-restore" in the engine's daemon.json to keep apps running across engine restarts.`,
      );
      this.exits.fire({ ...exitFromInspect(info!), engineRestarted: true, run: run.n });
      return;
    }
    if (!info) {
      this.gone = true;
      this.system(run, this.goneError().message);
      this.exits.fire({ exitCode: null, signal: null, oomKilled: false, run: run.n });
      return;
    }
    this.exits.fire({ ...exitFromInspect(info), run: run.n });
  }

  private down(run: Run): void {
    const last = run.outages[run.outages.length - 1];
    if (!last || last.to !== undefined) run.outages.push({ from: Date.now() });
  }

  private up(run: Run): void {
    const last = run.outages[run.outages.length - 1];
    if (last && last.to === undefined) last.to = Date.now();
  }
}
