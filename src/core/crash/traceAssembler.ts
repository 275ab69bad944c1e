/** Finds where traces start in a stream of clean lines and hands each line to the parser of the current trace. */
import { rubyStart } from './rubyBacktrace';
import { ANY_MARKER, MARKERS } from './runtimeRegistry';
import type { RawTrace, StartContext, TraceParser } from './traceParser';

/** Lines kept for start functions that look back (a header above the first frame, Node's source excerpt). */
const RING = 16;

/**
 * One stream's trace state. An idle line costs one pass of a regex of every runtime's markers; the runtimes' own
 * checks run only on lines that hold a marker.
 * A parser that reports 'end' hands the line back, so a line ending one trace may start the next.
 */
export class TraceAssembler {
  private active: TraceParser | null = null;
  private readonly ring: string[] = new Array<string>(RING).fill('');
  private readonly ringNo: number[] = new Array<number>(RING).fill(0);
  private ringPos = 0;
  /** Unrelated lines seen since the active parser last took one. */
  private held = 0;
  private readonly context: StartContext = {
    before: (back) => (back >= 1 && back <= Math.min(RING, this.seen) ? this.ring[this.ringAt(back)] : null),
    lineNoBefore: (back) => this.ringNo[this.ringAt(back)],
    startsTrace: (line) => this.startsTrace(line),
  };
  /** Lines fed so far (the ring holds the last RING of them). */
  private seen = 0;
  /** The parser whose trace was last announced through `early` (each trace is announced once). */
  private announced: TraceParser | null = null;

  /**
   * `tolerance`: how many unrelated lines (other threads, the other stream) a trace may hold across.
   * `holdComplete`: whether a trace that is already complete may wait for more (whole logs: yes; live streams:
   * no, a complete trace is emitted on the first unrelated line).
   * `early`: told once per trace, on the line that makes it complete (or, for a trace that never looked complete,
   * just before it is emitted), while the trace may still grow: a Python traceback may be followed by the chained
   * exception it caused, so its final form waits for the next line, the end of the stream or a quiet period.
   */
  constructor(
    private readonly emit: (trace: RawTrace) => void,
    private readonly tolerance = 3,
    private readonly holdComplete = true,
    private readonly early?: (trace: RawTrace) => void,
  ) {}

  get isActive(): boolean {
    return this.active !== null;
  }

  get isComplete(): boolean {
    return this.active?.complete ?? false;
  }

  feed(line: string, lineNo: number): void {
    const active = this.active;
    if (active) {
      const r = active.feed(line, lineNo);
      if (r === 'more') this.held = 0;
      else if (r === 'done') this.finish();
      else if (
        this.held < this.tolerance &&
        (this.holdComplete || !active.complete) &&
        (active.mayResumeAfter?.(line) ?? true)
      ) {
        // Maybe interleaved output: keep the trace open unless this line starts a new one.
        this.active = null;
        this.idle(line, lineNo);
        const next = this.active;
        this.active = active;
        if (next) {
          this.finish();
          this.active = next;
        } else this.held++;
      } else {
        this.finish();
        this.idle(line, lineNo);
      }
    } else this.idle(line, lineNo);
    if (this.early) this.announce();
    const p = this.ringPos;
    this.ring[p] = line;
    this.ringNo[p] = lineNo;
    this.ringPos = p + 1 === RING ? 0 : p + 1;
    this.seen++;
  }

  /** Ends the current trace (end of stream, or a quiet period) and emits it when it is a crash. */
  finish(): void {
    const active = this.active;
    if (!active) return;
    this.active = null;
    this.held = 0;
    let trace: RawTrace | null = null;
    try {
      trace = active.finish();
    } catch {
      trace = null; // a parser bug must never break the stream
    }
    if (!trace) return;
    if (this.early && this.announced !== active) this.early(trace);
    this.announced = null;
    this.emit(trace);
  }

  /** Announces the active trace once it is complete (the report keeps `causes` by reference: a copy, as the trace may grow). */
  private announce(): void {
    const active = this.active;
    if (!active || active === this.announced || !active.complete) return;
    let trace: RawTrace | null = null;
    try {
      trace = active.finish();
    } catch {
      trace = null;
    }
    if (!trace) return;
    this.announced = active;
    this.early!(trace.causes ? { ...trace, causes: trace.causes.slice() } : trace);
  }

  private idle(line: string, lineNo: number): void {
    if (!ANY_MARKER.test(line)) return;
    const markers = MARKERS;
    for (let k = 0; k < markers.length; k++) {
      const m = markers[k];
      const at = line.indexOf(m.marker);
      if (at < 0) continue;
      // Runtimes sharing a marker are asked in priority order; a line no start claims may hold a later marker.
      for (const start of m.starts) {
        let parser: TraceParser | null = null;
        try {
          parser = start(line, lineNo, at, this.context);
        } catch {
          parser = null; // a parser bug must never break the stream
        }
        if (parser) {
          this.active = parser;
          return;
        }
      }
    }
  }

  /** True for a line that would begin a new trace (used where a parser tolerates stray lines). */
  private startsTrace(line: string): boolean {
    for (const m of MARKERS) {
      if (m.marker === 'File "' || line.indexOf(m.marker) < 0) continue;
      if (m.marker !== ':in ' && m.marker !== 'syntax error') return true;
      if (rubyStart(line.trimStart()) !== null) return true;
    }
    return false;
  }

  /** Ring index of the line `back` lines before the newest one (back = 1 is the previous line). */
  private ringAt(back: number): number {
    return (this.ringPos - back + RING * 2) % RING;
  }
}
