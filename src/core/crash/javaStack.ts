/**
 * Java (and JVM) stack traces: `Exception in thread`, `Caused by:`, `... N more`, `Suppressed:`, as printed by the
 * JVM or logged by logback, log4j2 (`~[classes/:na]` suffixes) and java.util.logging.
 */
import type { StackFrame } from './crashReport';
import { isDependencyPath } from './frameClassifier';
import { LinePrefix } from './logPrefix';
import { capMessage, keepText, MAX_FRAMES, type FeedResult, type RawTrace, type RuntimeSpec, type StartContext, type TraceParser } from './traceParser';

/**
 * `at pkg.Class.method(File.java:12)`, `at java.base/java.lang.Integer.parseInt(Integer.java:652)`, with logback's
 * or log4j2's packaging suffix ` ~[classes/:na]`, ` [spring-webmvc-6.1.6.jar:6.1.6]`, ` ~[?:?]`.
 */
export const JAVA_AT = /^(\s+)at ([^\s()]+)\(([^()]*)\)(?: ~?\[[^\]]*\])?\s*$/;
/** What a JVM prints in a frame's parentheses (a .NET frame holds a parameter list instead). */
const JAVA_LOCATION = /^(?:Native Method|Unknown Source(?::\d+)?|[^\s:()]+\.[A-Za-z]\w*(?::\d+)?|<generated>|SourceFile(?::\d+)?)$/;
/** `Exception in thread "main" java.lang.X: msg`, `java.lang.X: msg`, `com.acme.BadThing`. */
export const JAVA_HEADER = /^(?:Exception in thread "[^"]*" )?((?:[A-Za-z_$][\w$]*[./])*[A-Za-z_$][\w$]*)(?:: ?(.*))?$/;
/** A header after a logger's text on the same line: `SEVERE: java.lang.IllegalStateException: boom`. */
const EMBEDDED_HEADER = /(?:^|[\s\]|:])((?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable))(?:: (.*))?$/;
const CAUSED_BY = /^Caused by: ((?:[A-Za-z_$][\w$]*[./])*[A-Za-z_$][\w$]*)(?:: ?(.*))?$/;
const MORE = /^\s+\.\.\. \d+ (?:more|common frames omitted)\s*$/;
const SUPPRESSED = /^\s+(?:Suppressed|Caused by): /;
/** How far back from a first `at` line the exception's header may be (multi-line messages, a blank line). */
const LOOKBACK = 12;

export function isJavaHeaderName(name: string): boolean {
  return name.includes('.') || /(?:Exception|Error|Throwable)$/.test(name);
}

export function parseJavaFrame(m: RegExpExecArray): StackFrame {
  const where = m[3];
  const colon = where.lastIndexOf(':');
  const line = colon > 0 ? Number(where.slice(colon + 1)) : NaN;
  return {
    file: colon > 0 && Number.isFinite(line) ? where.slice(0, colon) : where,
    line: Number.isFinite(line) ? line : null,
    function: m[2],
  };
}

export class JavaStackParser implements TraceParser {
  private frames: StackFrame[] = [];
  /** One list per `Caused by:`, outermost first. */
  private causeFrames: StackFrame[][] = [];
  private causes: { type: string; message: string }[] = [];
  private last: number;

  constructor(
    private readonly prefix: LinePrefix,
    private readonly first: number,
    private readonly type: string,
    private readonly message: string,
    private readonly text: string[],
  ) {
    this.last = first;
  }

  get complete(): boolean {
    return this.frames.length > 0 || this.causes.length > 0;
  }

  feed(raw: string, lineNo: number): FeedResult {
    const line = this.prefix.strip(raw);
    const at = JAVA_AT.exec(line);
    if (at) {
      // One level of indentation: the trace itself or a cause; deeper ones belong to Suppressed: blocks.
      const depth = at[1].includes('\t') ? at[1].length : Math.ceil(at[1].length / 4);
      if (depth <= 1) {
        const target = this.causeFrames.length ? this.causeFrames[this.causeFrames.length - 1] : this.frames;
        if (target.length < MAX_FRAMES) target.push(parseJavaFrame(at));
      }
      return this.keep(line, lineNo);
    }
    const cause = CAUSED_BY.exec(line);
    if (cause) {
      this.causeFrames.push([]);
      this.causes.push({ type: cause[1], message: capMessage(cause[2] ?? '') });
      return this.keep(line, lineNo);
    }
    if (MORE.test(line) || SUPPRESSED.test(line)) return this.keep(line, lineNo);
    return 'end';
  }

  mayResumeAfter(raw: string): boolean {
    const m = JAVA_HEADER.exec(this.prefix.strip(raw));
    return !(m && isJavaHeaderName(m[1]));
  }

  private keep(line: string, lineNo: number): FeedResult {
    keepText(this.text, line);
    this.last = lineNo;
    return 'more';
  }

  finish(): RawTrace | null {
    if (!this.complete) return null;
    const causeFrames = this.causeFrames.filter((l) => l.length > 0).reverse();
    return {
      language: 'java',
      type: this.type,
      message: capMessage(this.message),
      frames: this.frames,
      causes: this.causes.length ? this.causes : undefined,
      causeFrames: causeFrames.length ? causeFrames : undefined,
      first: this.first,
      last: this.last,
      text: this.text,
    };
  }
}

/** A JVM frame line (`at x.Y.z(Y.java:3)`), told apart from .NET's `at X.Y(Int32 a)`. */
export function javaFrame(body: string): RegExpExecArray | null {
  const m = JAVA_AT.exec(body);
  return m && JAVA_LOCATION.test(m[3]) ? m : null;
}

/** A frame line revealed a trace: its header is a few lines back (past blank lines and message lines). */
function startFromFrame(line: string, lineNo: number, at: number, ctx: StartContext): TraceParser | null {
  const prefix = new LinePrefix(line.slice(0, at));
  if (!javaFrame(prefix.strip(line))) return null;
  let header: { back: number; type: string; message: string; line: string } | null = null;
  for (let back = 1; back <= LOOKBACK && !header; back++) {
    const raw = ctx.before(back);
    if (raw === null) break;
    const s = prefix.strip(raw);
    if (s.trim() === '') continue;
    if (/^\s+at /.test(s)) break;
    const m = JAVA_HEADER.exec(s);
    if (m && isJavaHeaderName(m[1])) header = { back, type: m[1], message: m[2] ?? '', line: s };
    else {
      const e = EMBEDDED_HEADER.exec(s);
      if (e && back === 1) header = { back, type: e[1], message: e[2] ?? '', line: s.slice(s.indexOf(e[1])) };
    }
  }
  if (!header) return null;
  const text: string[] = [header.line];
  for (let back = header.back - 1; back >= 1; back--) text.push(prefix.strip(ctx.before(back) ?? ''));
  const parser = new JavaStackParser(prefix, ctx.lineNoBefore(header.back), header.type, header.message, text);
  return parser.feed(line, lineNo) === 'end' ? null : parser;
}

/** `Caused by:` right under a header, with no frames at all (an exception built and logged, never thrown). */
function startFromCause(line: string, lineNo: number, at: number, ctx: StartContext): TraceParser | null {
  if (at > 0 && line.slice(0, at).trim() === '') return null; // an indented cause belongs to a Suppressed: block
  const prefix = new LinePrefix(line.slice(0, at));
  // The header is right above, or a few lines up when another thread wrote in between.
  for (let back = 1; back <= 3; back++) {
    const raw = ctx.before(back);
    if (raw === null) return null;
    const prev = prefix.strip(raw);
    const m = JAVA_HEADER.exec(prev);
    if (!m || !isJavaHeaderName(m[1]) || !m[1].includes('.')) continue;
    const parser = new JavaStackParser(prefix, ctx.lineNoBefore(back), m[1], m[2] ?? '', [prev]);
    return parser.feed(line, lineNo) === 'end' ? null : parser;
  }
  return null;
}

const JAVA_LIB_FN =
  /^(?:[\w.-]+\/)?(?:java|javax|jakarta|jdk|sun|com\.sun|kotlin|kotlinx|scala|org\.junit|org\.gradle|org\.apache|org\.springframework|org\.hibernate|org\.eclipse\.jetty|org\.glassfish|ch\.qos\.logback|io\.netty|io\.undertow|io\.micrometer|io\.quarkus|io\.vertx|reactor|com\.fasterxml|com\.zaxxer|com\.google\.common|lombok)\./;

/** JVM: frames reveal the trace (the header is behind them); a frameless `Caused by:` chain. */
export const javaRuntime = {
  language: 'java',
  starts: [
    { marker: '\tat ', start: startFromFrame },
    { marker: '  at ', start: startFromFrame },
    { marker: 'Caused by: ', start: startFromCause },
  ],
  isUserFrame: (f) =>
    !!f.file &&
    !(f.function && JAVA_LIB_FN.test(f.function)) &&
    f.file !== 'Native Method' &&
    !f.file.startsWith('Unknown Source') &&
    !isDependencyPath(f.file),
} as const satisfies RuntimeSpec;
