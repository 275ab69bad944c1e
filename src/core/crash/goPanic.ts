/**
 * Go panics and fatal runtime errors with goroutine traces, and panics `net/http` recovered and logged. The frames
 * are the panicking goroutine's: the first one, unless a later one holds the `panic(` call (a full dump).
 * A recovery middleware that logs `debug.Stack()` prints no `panic:` line: a `goroutine N [running]:` trace whose
 * frames hold the `panic(` call is such a recovered panic (its message is the line before it); one without is not
 * a crash (a stack dumped for another reason).
 */
import type { StackFrame } from './crashReport';
import { isDependencyPath } from './frameClassifier';
import { LinePrefix } from './logPrefix';
import { capMessage, MAX_FRAMES, TraceLines, type FeedResult, type RawTrace, type RuntimeSpec, type TraceParser } from './traceParser';

export const GO_START = /^(?:panic|fatal error): (.*)$/;
/** `http: panic serving 172.17.0.1:50000: runtime error: ...` (net/http's conn.serve recovers and logs). */
const HTTP_PANIC = /^http: panic serving (?:\S+?): (.*)$/;
/** The `log` package's standard time stamp (`2024/05/02 09:14:04 `, microseconds optional). */
const GO_TIME = String.raw`\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d(?:\.\d+)? `;
const GO_LOG_PREFIX = new RegExp(String.raw`${GO_TIME}(?:\S+\.go:\d+: )?$`);
const GOROUTINE = /^goroutine \d+ \[([^\]]*)\]:\s*$/;
const GO_FUNC = /^(?:created by )?(\S.*?)(?:\((?:[^()]|\([^()]*\))*\))?(?: in goroutine \d+)?\s*$/;
const GO_FILE = /^\s+(\S.*?):(\d+)(?: \+0x[0-9a-f]+)?\s*$/;
const SIGNAL = /^\[signal /;
const NESTED = /^\s*panic: |^\s*\[recovered\]/;
const EXIT_STATUS = /^exit status \d+\s*$/;
const MISC = /^(?:runtime stack:|\.\.\.additional frames elided\.\.\.|goroutine \d+ gp=)/;
const PANIC_CALL = /^(?:panic|runtime\.gopanic)\(/;
const RUNNING = /^goroutine \d+ \[running\]:\s*$/;
const GO_LOG_TIME = new RegExp(`^${GO_TIME}`);

interface Goroutine {
  frames: StackFrame[];
  /**
   * Frames above the last `panic(` call (innermost first): the deferred code that recovered or re-panicked. Zero for
   * a goroutine that does not hold the call, so a panicking one is one with `aboveFault > 0`.
   */
  aboveFault: number;
}

const isPanicking = (g: Goroutine) => g.aboveFault > 0;

export class GoPanicParser implements TraceParser {
  private goroutines: Goroutine[] = [];
  private pendingFunction: string | null = null;
  private readonly message: string;
  private readonly type: string;
  private readonly trace: TraceLines;
  private afterCreatedBy = false;
  private ended = false;

  constructor(
    private readonly prefix: LinePrefix,
    first: number,
    firstLine: string,
    message: string,
    /** net/http logs one goroutine (runtime.Stack(buf, false)): its `created by` frame ends the trace. */
    private readonly singleGoroutine = false,
    /** The trace starts at its `goroutine N [running]:` line (a logged `debug.Stack()`): a crash only with `panic(`. */
    private readonly headerless = false,
  ) {
    this.trace = new TraceLines(first, firstLine);
    // `fatal error:` (deadlock, concurrent map writes) is a runtime throw, not a panic: keep the name as printed.
    this.type = firstLine.startsWith('fatal error') ? 'fatal error' : 'panic';
    this.message = capMessage(message);
    if (headerless) this.goroutines.push({ frames: [], aboveFault: 0 });
  }

  get complete(): boolean {
    return this.goroutines.length > 0 && this.goroutines[0].frames.length > 0 && (!this.headerless || this.goroutines.some(isPanicking));
  }

  /** A line of the `log` package (its time stamp first) is the service going on: the dump is over. */
  mayResumeAfter(line: string): boolean {
    return !GO_LOG_TIME.test(this.prefix.strip(line));
  }

  feed(raw: string, lineNo: number): FeedResult {
    if (this.ended) return 'end';
    const line = this.prefix.strip(raw);
    if (line.trim() === '') {
      this.pendingFunction = null;
      return 'more';
    }
    const g = GOROUTINE.exec(line);
    if (g) {
      this.goroutines.push({ frames: [], aboveFault: 0 });
      return this.trace.keep(line, lineNo);
    }
    if (EXIT_STATUS.test(line)) {
      if (this.goroutines.length === 0) return 'end';
      this.trace.keep(line, lineNo);
      return 'done';
    }
    const current = this.goroutines[this.goroutines.length - 1];
    if (!current) {
      if (SIGNAL.test(line) || NESTED.test(line)) return this.trace.keep(line, lineNo);
      return 'end';
    }
    const file = GO_FILE.exec(line);
    if (file) {
      if (current.frames.length < MAX_FRAMES) current.frames.push({ file: file[1], line: Number(file[2]), function: this.pendingFunction });
      this.pendingFunction = null;
      this.trace.keep(line, lineNo);
      if (this.afterCreatedBy && this.singleGoroutine) {
        this.ended = true;
        return 'done';
      }
      return 'more';
    }
    if (MISC.test(line)) return this.trace.keep(line, lineNo);
    const c = line.charCodeAt(0);
    if ((c !== 32 && c !== 9 && line.endsWith(')')) || line.startsWith('created by ')) {
      const fn = GO_FUNC.exec(line);
      this.pendingFunction = fn ? fn[1] : line;
      // The fault is below the panic call: what is above it ran after (a recovery, debug.Stack, a re-panic).
      if (PANIC_CALL.test(line)) current.aboveFault = current.frames.length + 1;
      this.afterCreatedBy = line.startsWith('created by ');
      return this.trace.keep(line, lineNo);
    }
    return 'end';
  }

  finish(): RawTrace | null {
    if (this.goroutines.length === 0) return null;
    const panicking = this.goroutines.find(isPanicking);
    if (this.headerless && !panicking) return null;
    const g = panicking ?? this.goroutines[0];
    return {
      language: 'go',
      type: this.type,
      message: this.message,
      frames: g.frames.length > g.aboveFault ? g.frames.slice(g.aboveFault) : g.frames,
      ...this.trace.span(),
    };
  }
}

const GO_LIB = /(?:^\/usr\/local\/go\/|^\/usr\/lib\/go[\\/-]|GOROOT|[\\/]pkg[\\/]mod[\\/]|^\/usr\/share\/go|[\\/]go[\\/]src[\\/]runtime[\\/]|^runtime[\\/])/;
const GO_LIB_FN = /^(?:runtime|testing|panic|reflect|sync|internal|net\/http|log)[.(/]/;

function startGo(line: string, lineNo: number, i: number): TraceParser | null {
  // "don't panic: ..." in prose is no panic: the marker must start the line or follow a non-word prefix.
  if (i > 0 && /\w/.test(line.charAt(i - 1))) return null;
  const m = GO_START.exec(line.slice(i));
  return m ? new GoPanicParser(new LinePrefix(line.slice(0, i)), lineNo, line.slice(i), m[1]) : null;
}

/** Go: `panic:` / `fatal error:` at the start of a line (after any log prefix), `http: panic serving`. */
export const goRuntime = {
  language: 'go',
  starts: [
    {
      marker: 'panic',
      start(line, lineNo) {
        let i = line.indexOf('http: panic serving ');
        if (i >= 0) {
          const m = HTTP_PANIC.exec(line.slice(i));
          // The `log` package's own prefix stands on the first line only; a collector's stands on every line.
          const prefix = line.slice(0, i).replace(GO_LOG_PREFIX, '');
          return m ? new GoPanicParser(new LinePrefix(prefix), lineNo, line.slice(i), m[1], true) : null;
        }
        i = line.indexOf('panic: ');
        if (i < 0) i = line.indexOf('fatal error: ');
        return i < 0 ? null : startGo(line, lineNo, i);
      },
    },
    { marker: 'fatal error: ', start: startGo },
    {
      // A recovered panic logged with debug.Stack() (gin-style recovery, a hand-written middleware).
      marker: 'goroutine ',
      start(line, lineNo, i, ctx) {
        if ((i > 0 && /\w/.test(line.charAt(i - 1))) || !RUNNING.test(line.slice(i))) return null;
        const prefix = new LinePrefix(line.slice(0, i));
        const before = ctx.before(1);
        const message = before ? prefix.strip(before).replace(GO_LOG_TIME, '').trim() : '';
        return new GoPanicParser(prefix, lineNo, line.slice(i), message, false, true);
      },
    },
  ],
  isUserFrame: (f) => !!f.file && !GO_LIB.test(f.file) && !isDependencyPath(f.file) && !(f.function && GO_LIB_FN.test(f.function)),
} as const satisfies RuntimeSpec;
