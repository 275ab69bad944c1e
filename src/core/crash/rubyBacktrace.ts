/** Ruby uncaught exceptions (3.x backtick and 3.4 quote styles), their `from` frames, and syntax errors. */
import type { StackFrame } from './crashReport';
import type { LinePrefix } from './logPrefix';
import { capMessage, keepText, MAX_FRAMES, type FeedResult, type RawTrace, type TraceParser } from './traceParser';

/** `app.rb:3:in `foo': divided by 0 (ZeroDivisionError)` / `app.rb:3:in 'Integer#/': … (ZeroDivisionError)`. */
// Written without nested lazy groups: a long hostile line must cost linear time.
export const RUBY_START = /^([^:\s][^:]*):(\d+):in [`']([^']*)': (.*?) ?\(([A-Z][\w:]*)\)\s*$/;
/** `app.rb:1:in '<main>': unhandled exception` (a RuntimeError without a message). */
const RUBY_UNHANDLED = /^([^:\s][^:]*):(\d+):in [`']([^']*)': unhandled exception\s*$/;
/** `app.rb:4: syntax error, unexpected end-of-input` (3.1) / `app.rb:4: syntax errors found (SyntaxError)` (3.4). */
export const RUBY_SYNTAX = /^(\S+?\.rb):(\d+): (syntax errors?\b.*?)(?: \(SyntaxError\))?\s*$/;
const FROM = /^\s+from (.+?):(\d+)(?::in [`'](.*)')?\s*$/;
const LEVELS = /^\s+\.\.\. \d+ levels\.\.\.\s*$/;
// error_highlight and did_you_mean print a few lines between the message and the first `from`.
const MAX_INTERLUDE = 8;

export function rubyStart(line: string): { file: string; line: number; fn: string | null; type: string; message: string } | null {
  const m = RUBY_START.exec(line);
  if (m) return { file: m[1], line: Number(m[2]), fn: m[3], type: m[5], message: m[4] };
  const u = RUBY_UNHANDLED.exec(line);
  if (u) return { file: u[1], line: Number(u[2]), fn: u[3], type: 'RuntimeError', message: 'unhandled exception' };
  const s = RUBY_SYNTAX.exec(line);
  if (s) return { file: s[1], line: Number(s[2]), fn: null, type: 'SyntaxError', message: s[3] };
  return null;
}

export class RubyBacktraceParser implements TraceParser {
  private frames: StackFrame[];
  private interlude = 0;
  private last: number;
  private readonly text: string[] = [];

  constructor(
    private readonly prefix: LinePrefix,
    private readonly first: number,
    firstLine: string,
    private readonly head: NonNullable<ReturnType<typeof rubyStart>>,
    /** A line that would start another trace ends this one even inside the tolerated interlude. */
    private readonly startsTrace: (line: string) => boolean,
  ) {
    this.last = first;
    keepText(this.text, firstLine);
    this.frames = [{ file: head.file, line: head.line, function: head.fn }];
  }

  get complete(): boolean {
    return true;
  }

  feed(raw: string, lineNo: number): FeedResult {
    const line = this.prefix.strip(raw);
    const f = FROM.exec(line);
    if (f) {
      if (this.frames.length < MAX_FRAMES) this.frames.push({ file: f[1], line: Number(f[2]), function: f[3] ?? null });
      this.interlude = MAX_INTERLUDE; // after the first frame, only frames continue the trace
      keepText(this.text, line);
      this.last = lineNo;
      return 'more';
    }
    if (LEVELS.test(line)) {
      keepText(this.text, line);
      this.last = lineNo;
      return 'more';
    }
    if (this.interlude < MAX_INTERLUDE && !this.startsTrace(raw)) {
      this.interlude++;
      keepText(this.text, line);
      return 'more';
    }
    return 'end';
  }

  finish(): RawTrace | null {
    return {
      language: 'ruby',
      type: this.head.type,
      message: capMessage(this.head.message),
      frames: this.frames,
      first: this.first,
      last: this.last,
      text: this.text,
    };
  }
}
