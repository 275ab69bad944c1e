/** Go panics and fatal runtime errors with goroutine traces; only the first (crashing) goroutine's frames count. */
import type { StackFrame } from './crashReport';
import type { LinePrefix } from './logPrefix';
import { capMessage, MAX_FRAMES, TraceLines, type FeedResult, type RawTrace, type TraceParser } from './traceParser';

export const GO_START = /^(?:panic|fatal error): (.*)$/;
const GOROUTINE = /^goroutine \d+ \[[^\]]*\]:\s*$/;
const GO_FUNC = /^(?:created by )?(\S.*?)(?:\((?:[^()]|\([^()]*\))*\))?(?: in goroutine \d+)?\s*$/;
const GO_FILE = /^\s+(\S.*?):(\d+)(?: \+0x[0-9a-f]+)?\s*$/;
const SIGNAL = /^\[signal /;
const NESTED = /^\s*panic: |^\s*\[recovered\]/;
const EXIT_STATUS = /^exit status \d+\s*$/;
const MISC = /^(?:runtime stack:|\.\.\.additional frames elided\.\.\.|goroutine \d+ gp=)/;

export class GoPanicParser implements TraceParser {
  private frames: StackFrame[] = [];
  private goroutines = 0;
  private pendingFunction: string | null = null;
  private readonly message: string;
  private readonly type: string;
  private readonly trace: TraceLines;

  constructor(
    private readonly prefix: LinePrefix,
    first: number,
    firstLine: string,
    message: string,
  ) {
    this.trace = new TraceLines(first, firstLine);
    // `fatal error:` (deadlock, concurrent map writes) is a runtime throw, not a panic: keep the name as printed.
    this.type = firstLine.startsWith('fatal error') ? 'fatal error' : 'panic';
    this.message = capMessage(message);
  }

  get complete(): boolean {
    return this.frames.length > 0;
  }

  feed(raw: string, lineNo: number): FeedResult {
    const line = this.prefix.strip(raw);
    if (line.trim() === '') {
      this.pendingFunction = null;
      return 'more';
    }
    if (GOROUTINE.test(line)) {
      this.goroutines++;
      return this.trace.keep(line, lineNo);
    }
    if (EXIT_STATUS.test(line)) {
      if (this.goroutines === 0) return 'end';
      this.trace.keep(line, lineNo);
      return 'done';
    }
    if (this.goroutines === 0) {
      if (SIGNAL.test(line) || NESTED.test(line)) return this.trace.keep(line, lineNo);
      return 'end';
    }
    const file = GO_FILE.exec(line);
    if (file) {
      if (this.goroutines === 1 && this.frames.length < MAX_FRAMES) {
        this.frames.push({ file: file[1], line: Number(file[2]), function: this.pendingFunction });
      }
      this.pendingFunction = null;
      return this.trace.keep(line, lineNo);
    }
    if (MISC.test(line)) return this.trace.keep(line, lineNo);
    const c = line.charCodeAt(0);
    if (c !== 32 && c !== 9 && line.endsWith(')') || line.startsWith('created by ')) {
      const fn = GO_FUNC.exec(line);
      this.pendingFunction = fn ? fn[1] : line;
      return this.trace.keep(line, lineNo);
    }
    return 'end';
  }

  finish(): RawTrace | null {
    if (this.goroutines === 0) return null;
    return {
      language: 'go',
      type: this.type,
      message: this.message,
      frames: this.frames,
      ...this.trace.span(),
    };
  }
}
