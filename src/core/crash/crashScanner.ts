/** The incremental crash scanner: lines in (any stream, ANSI allowed), one CrashReport out per complete trace. */
import { Emitter, type Disposable } from '../lifecycle';
import type { CrashReport } from './crashReport';
import { cleanLine } from './logPrefix';
import { LogRouter } from './logRouter';
import type { PathMapper } from './pathMapper';
import { ReportBuilder } from './reportBuilder';

export type ScannerStream = 'stdout' | 'stderr' | 'system';

export interface CrashScannerOptions {
  pathMapper?: PathMapper;
  /**
   * Quiet period after which a complete-looking trace is emitted without waiting for the next line. Runtimes write
   * a whole trace (chained parts included) in one burst, so this only has to outlast the gaps inside a burst.
   */
  quietMs?: number;
  /** Quiet period after which a trace that never looks complete (the process died mid-write) is emitted anyway. */
  forceAfterMs?: number;
  /** Timer factory (tests pass a fake); defaults to an unref'd setTimeout. */
  setTimer?: (fn: () => void, ms: number) => Disposable;
  /** Clock in ms (tests pass a fake); defaults to Date.now. */
  now?: () => number;
  /**
   * The input is a whole log read as fast as it can be (a file), not a live stream: no quiet timer, and a
   * complete trace may hold across a few unrelated lines (interleaved output), exactly as `scanText` does.
   */
  wholeLog?: boolean;
  /**
   * Also fire `onCrashSeen` as soon as a trace is complete, before its final report (live streams only; whole logs
   * have no use for it). Off by default: a scanner nobody listens to early does no extra work.
   */
  early?: boolean;
}

/** Measured: a crash burst arrives within a few ms; 15 ms keeps chained traces whole and the event under 20 ms. */
export const DEFAULT_QUIET_MS = 15;
const DEFAULT_FORCE_AFTER_MS = 3_000;
/** Unrelated lines a trace may hold across (another thread writing to the same stream). */
const INTERLEAVE_TOLERANCE = 3;

/**
 * Scans a live line stream. Each stream keeps its own trace state, so stdout chatter cannot cut a stderr trace in
 * two; lines are numbered 1-based across all streams in push order. A trace is emitted as soon as it is complete:
 * on the next unrelated line, on a trace's own closing line, or after `quietMs` without input.
 */
export class CrashScanner implements Disposable {
  private readonly emitter = new Emitter<CrashReport>();
  private readonly seenEmitter = new Emitter<CrashReport>();
  private readonly router: LogRouter;
  private readonly quietMs: number;
  private readonly forceAfterMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => Disposable;
  private readonly now: () => number;
  private lineNo = 0;
  private lastInput = 0;
  private timer: Disposable | null = null;
  private disposed = false;
  private readonly wholeLog: boolean;
  /** The container run the lines being assembled belong to (undefined when the caller does not tell runs). */
  private run: number | undefined;

  /** Fires once per detected crash, with its final report. */
  readonly onCrash = (listener: (r: CrashReport) => void): Disposable => this.emitter.event(listener);
  /**
   * With `early`: fires once per crash, on the line that makes its trace complete — before `onCrash`, which may
   * bring a grown report (a Python traceback followed by the exception it caused) after the next line, the end of
   * the stream or the quiet period. For a trace decided on its own closing line both fire on that line.
   */
  readonly onCrashSeen = (listener: (r: CrashReport) => void): Disposable => this.seenEmitter.event(listener);

  constructor(opts: CrashScannerOptions = {}) {
    this.wholeLog = opts.wholeLog ?? false;
    const early = opts.early && !this.wholeLog ? (r: CrashReport) => this.seenEmitter.fire(this.tag(r)) : undefined;
    this.router = new LogRouter(new ReportBuilder(opts.pathMapper), (r) => this.emitter.fire(this.tag(r)), INTERLEAVE_TOLERANCE, this.wholeLog, early);
    this.quietMs = this.wholeLog ? Infinity : (opts.quietMs ?? DEFAULT_QUIET_MS);
    this.forceAfterMs = Math.max(this.quietMs, opts.forceAfterMs ?? DEFAULT_FORCE_AFTER_MS);
    this.now = opts.now ?? Date.now;
    this.setTimer =
      opts.setTimer ??
      ((fn, ms) => {
        const t = setTimeout(fn, ms);
        t.unref?.();
        return { dispose: () => clearTimeout(t) };
      });
  }

  /** The number of lines pushed so far (the last line's number). */
  get lines(): number {
    return this.lineNo;
  }

  /**
   * Pushes one line (a trailing newline is ignored; embedded newlines are split). `run` is the container run that
   * wrote it: a trace never spans two runs (what is pending is emitted, tagged with its run, when a new run begins).
   */
  push(text: string, stream: ScannerStream = 'stdout', run?: number): void {
    if (this.disposed) return;
    if (run !== undefined && run !== this.run) {
      if (this.run !== undefined) this.flush();
      this.run = run;
    }
    const router = this.router;
    let nl = text.indexOf('\n');
    if (nl < 0 || nl === text.length - 1) {
      router.feed(cleanLine(nl < 0 ? text : text.slice(0, nl)), ++this.lineNo, stream);
    } else {
      let start = 0;
      while (nl >= 0) {
        router.feed(cleanLine(text.slice(start, nl)), ++this.lineNo, stream);
        start = nl + 1;
        nl = text.indexOf('\n', start);
      }
      if (start < text.length) router.feed(cleanLine(text.slice(start)), ++this.lineNo, stream);
    }
    // A whole log has no quiet timer: skip the bookkeeping on its hot path.
    if (Number.isFinite(this.quietMs) && router.isActive) {
      this.lastInput = this.now();
      if (!this.timer) this.arm(this.quietMs);
    }
  }

  private tag(report: CrashReport): CrashReport {
    return this.run === undefined ? report : { ...report, run: this.run };
  }

  /** End of stream: emits every pending trace. */
  flush(): void {
    this.router.finish(true);
  }

  dispose(): void {
    this.disposed = true;
    this.timer?.dispose();
    this.timer = null;
    this.emitter.dispose();
    this.seenEmitter.dispose();
  }

  private arm(ms: number): void {
    this.timer = this.setTimer(() => this.onQuiet(), Math.max(1, ms));
  }

  private onQuiet(): void {
    this.timer = null;
    if (this.disposed) return;
    const quiet = this.now() - this.lastInput;
    if (quiet < this.quietMs) {
      this.arm(this.quietMs - quiet);
      return;
    }
    if (this.router.finish(quiet >= this.forceAfterMs)) this.arm(this.quietMs);
  }
}
