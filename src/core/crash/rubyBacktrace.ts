/**
 * Ruby uncaught exceptions (3.x backtick and 3.4 quote styles), their `from` frames, syntax errors, and exceptions
 * logged by Rails (`NoMethodError (msg):`), Sinatra (`time - Type - msg:`) and Logger (`msg (Type)`) followed by bare
 * backtrace lines (`app/controllers/x.rb:69:in 'show'`).
 */
import type { StackFrame } from './crashReport';
import { isDependencyPath } from './frameClassifier';
import { LinePrefix } from './logPrefix';
import { capMessage, keepText, MAX_FRAMES, type FeedResult, type RawTrace, type RuntimeSpec, type StartContext, type TraceParser } from './traceParser';

/** `app.rb:3:in `foo': divided by 0 (ZeroDivisionError)` / `app.rb:3:in 'Integer#/': … (ZeroDivisionError)`. */
// Written without nested lazy groups: a long hostile line must cost linear time.
export const RUBY_START = /^([^:\s][^:]*):(\d+):in [`']([^']*)': (.*?) ?\(([A-Z][\w:]*)\)\s*$/;
/** `app.rb:1:in '<main>': unhandled exception` (a RuntimeError without a message). */
const RUBY_UNHANDLED = /^([^:\s][^:]*):(\d+):in [`']([^']*)': unhandled exception\s*$/;
/** `app.rb:4: syntax error, unexpected end-of-input` (3.1) / `app.rb:4: syntax errors found (SyntaxError)` (3.4). */
export const RUBY_SYNTAX = /^(\S+?\.rb):(\d+): (syntax errors?\b.*?)(?: \(SyntaxError\))?\s*$/;
const FROM = /^\s+from (.+?):(\d+)(?::in [`'](.*)')?\s*$/;
const LEVELS = /^\s+\.\.\. \d+ levels\.\.\.\s*$/;
/** A backtrace line as `Exception#backtrace` holds it: `app/x.rb:69:in 'show'`, indented or not. */
const BARE_FRAME = /^\s*([^\s:][^:]*):(\d+):in [`'](.*)'\s*$/;
/** Rails' DebugExceptions: `NoMethodError (undefined method 'x' for nil):`. */
const RAILS_HEADER = /^([A-Z]\w*(?:::[A-Z]\w*)*) \((.*)\):\s*$/;
/** Sinatra's dump_errors!: `2024-05-02 09:14:04 - ZeroDivisionError - divided by 0:` (strftime, fixed shape). */
const SINATRA_HEADER = /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d - ([A-Z]\w*(?:::[A-Z]\w*)*) - (.*):\s*$/;
/** Logger's exception format ends with the class: `E, [...] ERROR -- : divided by 0 (ZeroDivisionError)`. */
const LOGGER_TYPE = / \(([A-Z]\w*(?:::[A-Z]\w*)*)\)\s*$/;
/** A 404 is the router answering, not a crash. */
const NOT_A_CRASH = /^ActionController::RoutingError$/;
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
    /** Logged by a framework: the header came first and the frames are bare backtrace lines. */
    private readonly bare = false,
  ) {
    this.last = first;
    keepText(this.text, firstLine);
    this.frames = bare ? [] : [{ file: head.file, line: head.line, function: head.fn }];
  }

  /** Adds the lines between a framework's header and the first backtrace line (already seen). */
  keepBefore(lines: string[]): void {
    for (const l of lines) keepText(this.text, l);
  }

  get complete(): boolean {
    return true;
  }

  feed(raw: string, lineNo: number): FeedResult {
    const line = this.prefix.strip(raw);
    if (this.bare) {
      const b = BARE_FRAME.exec(line);
      if (!b) return 'end';
      if (this.frames.length < MAX_FRAMES) this.frames.push({ file: b[1], line: Number(b[2]), function: b[3] });
      keepText(this.text, line);
      this.last = lineNo;
      return 'more';
    }
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

const RUBY_LOCATION = /(?<![^\s|\]])[^\s|\]]+?:\d+:(?:in [`']| syntax errors?\b)/;
const RUBY_LIB = /(?:[\\/]gems[\\/]|[\\/]lib[\\/]ruby[\\/]|^<internal:|[\\/]rubygems[\\/]|[\\/]vendor[\\/]bundle[\\/])/;
const HEADER_LOOKBACK = 4;
/** Rails' backtrace cleaner prints gem frames as `actionpack (6.1.7) lib/...`. */
const GEM_FRAME = /^[\w.-]+ \([^)]*\) /;

function startRuby(line: string, lineNo: number, _at: number, ctx: StartContext): TraceParser | null {
  // Ruby prints the file first, so a log prefix ends where the first `file:line:in` token begins.
  const start = line.search(RUBY_LOCATION);
  if (start < 0) return null;
  const head = rubyStart(line.slice(start));
  if (head) return new RubyBacktraceParser(new LinePrefix(line.slice(0, start)), lineNo, line.slice(start), head, (l) => ctx.startsTrace(l));
  return startLogged(line, lineNo, start, ctx);
}

/** A bare backtrace line: the header a framework logged is on one of the few lines before it. */
function startLogged(line: string, lineNo: number, start: number, ctx: StartContext): TraceParser | null {
  const m = BARE_FRAME.exec(line.slice(start));
  if (!m) return null;
  // Indentation belongs to the backtrace; anything else before the location is a log prefix (`[request-id] `).
  const before = line.slice(0, start);
  const prefix = new LinePrefix(before.trim() === '' ? '' : before);
  const between: string[] = [];
  for (let back = 1; back <= HEADER_LOOKBACK; back++) {
    const raw = ctx.before(back);
    if (raw === null) return null;
    const prev = prefix.strip(raw);
    if (prev.trim() === '') {
      between.unshift(prev);
      continue;
    }
    const h = RAILS_HEADER.exec(prev) ?? SINATRA_HEADER.exec(prev);
    let type: string;
    let message: string;
    if (h) [type, message] = [h[1], h[2]];
    else {
      const l = LOGGER_TYPE.exec(prev);
      if (!l) continue; // another thread's line between the header and the first frame
      // The message follows Logger's `SEVERITY -- progname: ` when there is one.
      const dashes = prev.indexOf(' -- ');
      const colon = dashes >= 0 ? prev.indexOf(': ', dashes) : -1;
      [type, message] = [l[1], prev.slice(colon >= 0 ? colon + 2 : 0, l.index)];
    }
    if (NOT_A_CRASH.test(type)) return null;
    const head = { file: m[1], line: Number(m[2]), fn: m[3], type, message };
    const parser = new RubyBacktraceParser(prefix, ctx.lineNoBefore(back), prev, head, (l) => ctx.startsTrace(l), true);
    parser.keepBefore(between);
    return parser.feed(line, lineNo) === 'more' ? parser : null;
  }
  return null;
}

/** Ruby: uncaught exceptions and syntax errors (`file:line:in`), and exceptions Rails, Sinatra or Logger logged. */
export const rubyRuntime = {
  language: 'ruby',
  starts: [
    { marker: ':in ', start: startRuby },
    { marker: 'syntax error', start: startRuby },
  ],
  isUserFrame: (f) => !!f.file && !RUBY_LIB.test(f.file) && !GEM_FRAME.test(f.file) && !isDependencyPath(f.file),
} as const satisfies RuntimeSpec;
