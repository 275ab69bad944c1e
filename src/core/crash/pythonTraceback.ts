/** Python tracebacks: plain, chained, SyntaxError without a header, ExceptionGroup, RecursionError, log-prefixed. */
import type { StackFrame } from './crashReport';
import { isDependencyPath } from './frameClassifier';
import { LinePrefix } from './logPrefix';
import { capMessage, keepText, MAX_FRAMES, type FeedResult, type RawTrace, type RuntimeSpec, type TraceParser } from './traceParser';

export const PY_HEADER = /^\s*Traceback \(most recent call last\):\s*$/;
const PY_GROUP_HEADER = /^(\s*)\+ Exception Group Traceback \(most recent call last\):\s*$/;
/** `  File "x", line N, in f`; loguru marks the crashing frame `> File ...`. */
export const PY_FRAME = /^\s*(?:> )?File "(.*)", line (\d+)(?:, in (.+?))?\s*$/;
const PY_EXCEPTION = /^([A-Za-z_][\w.]*)(?::(?: (.*))?)?\s*$/;
const PY_CHAIN = /^(?:During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:)\s*$/;
const BARE_EXCEPTION = /(?:Error|Exception|Interrupt|Exit|Iteration|Group|Warning|Failure|Timeout|\.[A-Z]\w*)$/;
const GROUP_LINE = /^( *)([|+])/;
// Logging levels look like exception names ("ERROR: x") but never are.
const LOG_WORDS = new Set(['INFO', 'DEBUG', 'WARNING', 'WARN', 'ERROR', 'CRITICAL', 'FATAL', 'TRACE', 'NOTICE', 'NOTE', 'HINT']);
// Unrelated lines tolerated inside a traceback (other threads writing to the same stream).
const MAX_NOISE = 8;

type State = 'frames' | 'afterException' | 'chain';

export class PythonTracebackParser implements TraceParser {
  private state: State = 'frames';
  private frames: StackFrame[] = []; // outermost first, as printed
  private type = '';
  private message = '';
  private causes: { type: string; message: string }[] = [];
  private text: string[] = [];
  private noise = 0;
  private last: number;
  /** Indentation of the `|` of the top-level group, or -1 outside an ExceptionGroup. */
  private groupIndent = -1;

  constructor(
    private readonly prefix: LinePrefix,
    private readonly first: number,
    firstLine: string,
  ) {
    this.last = first;
    this.start(firstLine);
  }

  /** Starts on a `Traceback` header, an ExceptionGroup header, or a bare `File "x", line N` (SyntaxError). */
  private start(line: string): void {
    keepText(this.text, line);
    const g = PY_GROUP_HEADER.exec(line);
    if (g) this.groupIndent = g[1].length;
    else {
      const f = PY_FRAME.exec(line);
      if (f) this.pushFrame(f);
    }
  }

  get complete(): boolean {
    return this.state !== 'frames';
  }

  feed(raw: string, lineNo: number): FeedResult {
    const line = this.prefix.strip(raw);
    if (this.groupIndent >= 0) return this.feedGroup(line, lineNo);
    return this.feedPlain(line, lineNo);
  }

  private feedGroup(line: string, lineNo: number): FeedResult {
    const m = GROUP_LINE.exec(line);
    if (!m) {
      if (this.state === 'frames') return 'end';
      this.groupIndent = -1; // the group is over; a chain may still follow
      return this.feedPlain(line, lineNo);
    }
    keepText(this.text, line);
    this.last = lineNo;
    // Only the top level belongs to the group itself; nested sub-exceptions are detail.
    if (m[1].length === this.groupIndent && m[2] === '|' && this.state === 'frames') {
      this.feedPlain(line.slice(this.groupIndent + 2), lineNo, true);
    }
    return 'more';
  }

  private feedPlain(line: string, lineNo: number, inGroup = false): FeedResult {
    const c = line.charCodeAt(0);
    const indented = c === 32 || c === 9;
    if (this.state === 'frames') {
      // loguru separates frames with blank lines and marks the crashing one with `> `.
      if (line.length === 0) return 'more';
      if (indented || line.startsWith('> File "')) {
        const f = PY_FRAME.exec(line);
        if (f) this.pushFrame(f);
        else if (this.frames.length === 0 && !inGroup) return 'end';
        if (!inGroup) this.keep(line, lineNo);
        return 'more';
      }
      if (PY_HEADER.test(line) || PY_GROUP_HEADER.test(line)) return 'end';
      const e = PY_EXCEPTION.exec(line);
      if (e && !LOG_WORDS.has(e[1]) && this.frames.length > 0 && (e[2] !== undefined || this.isBareException(line, e[1]))) {
        this.type = e[1];
        this.message = capMessage(e[2] ?? '');
        this.state = 'afterException';
        if (!inGroup) this.keep(line, lineNo);
        return 'more';
      }
      if (this.frames.length === 0) return 'end';
      return this.noiseLine();
    }
    if (line.trim().length === 0) return 'more';
    if (this.state === 'afterException' && PY_CHAIN.test(line)) {
      this.causes.push({ type: this.type, message: this.message });
      this.state = 'chain';
      this.keep(line, lineNo);
      return 'more';
    }
    if (this.state === 'chain') {
      const g = PY_GROUP_HEADER.exec(line);
      if (g || PY_HEADER.test(line)) {
        this.frames = [];
        this.state = 'frames';
        this.groupIndent = g ? g[1].length : -1;
        this.keep(line, lineNo);
        return 'more';
      }
    }
    return 'end';
  }

  /**
   * A line that is only a name (`AssertionError`, `KeyboardInterrupt`) is an exception when it looks like one, or
   * when it follows the trace directly; after stray lines, "Done" is more likely chatter.
   */
  private isBareException(line: string, name: string): boolean {
    if (line.includes(':')) return true;
    return BARE_EXCEPTION.test(name) || (this.noise === 0 && /^[A-Z]/.test(name));
  }

  private noiseLine(): FeedResult {
    return ++this.noise > MAX_NOISE ? 'end' : 'more';
  }

  private keep(line: string, lineNo: number): void {
    keepText(this.text, line);
    this.last = lineNo;
  }

  private pushFrame(f: RegExpExecArray): void {
    // Keep the innermost frames: a runaway recursion prints thousands.
    if (this.frames.length >= MAX_FRAMES) this.frames.shift();
    this.frames.push({ file: f[1], line: Number(f[2]), function: f[3] ?? null });
  }

  finish(): RawTrace | null {
    if (!this.type) return null;
    return {
      language: 'python',
      type: this.type,
      message: this.message,
      frames: this.frames.slice().reverse(),
      causes: this.causes.length ? this.causes : undefined,
      first: this.first,
      last: this.last,
      text: this.text,
    };
  }
}

const PY_GROUP_MARK = /^(.*?)\s*\+ Exception Group Traceback \(most recent call last\):\s*$/;
const PYTHON_LIB = /(?:^<|[\\/]lib[\\/]python\d|^\/usr\/lib\/python|[\\/]lib-dynload[\\/])/;

/** Python: `Traceback (most recent call last):`, or a header-less `File "x", line N` (SyntaxError of the main script). */
export const pythonRuntime = {
  language: 'python',
  starts: [
    {
      marker: 'Traceback (most recent call last):',
      start(line, lineNo, i) {
        const g = PY_GROUP_MARK.exec(line);
        if (g) {
          const prefix = new LinePrefix(g[1]);
          return new PythonTracebackParser(prefix, lineNo, prefix.strip(line));
        }
        const rest = line.slice(i);
        return PY_HEADER.test(rest) ? new PythonTracebackParser(new LinePrefix(line.slice(0, i)), lineNo, rest) : null;
      },
    },
    {
      marker: 'File "',
      start(line, lineNo, i) {
        // Python indents frame lines by two spaces; whatever precedes them is a log prefix.
        const p = i >= 2 && line.charCodeAt(i - 1) === 32 && line.charCodeAt(i - 2) === 32 ? i - 2 : i;
        const rest = line.slice(p);
        return PY_FRAME.test(rest) ? new PythonTracebackParser(new LinePrefix(line.slice(0, p)), lineNo, rest) : null;
      },
    },
  ],
  isUserFrame: (f) => !!f.file && !PYTHON_LIB.test(f.file) && !isDependencyPath(f.file),
} as const satisfies RuntimeSpec;
