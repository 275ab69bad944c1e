/** Java (and JVM) stack traces: `Exception in thread`, `Caused by:`, `... N more`, `Suppressed:`. */
import type { StackFrame } from './crashReport';
import type { LinePrefix } from './logPrefix';
import { capMessage, keepText, MAX_FRAMES, type FeedResult, type RawTrace, type TraceParser } from './traceParser';

/** `at pkg.Class.method(File.java:12)`, `at java.base/java.lang.Integer.parseInt(Integer.java:652)`. */
export const JAVA_AT = /^(\s+)at ([^\s()]+)\(([^()]*)\)\s*$/;
/** `Exception in thread "main" java.lang.X: msg`, `java.lang.X: msg`, `com.acme.BadThing`. */
export const JAVA_HEADER = /^(?:Exception in thread "[^"]*" )?((?:[A-Za-z_$][\w$]*[./])*[A-Za-z_$][\w$]*)(?:: ?(.*))?$/;
const CAUSED_BY = /^Caused by: ((?:[A-Za-z_$][\w$]*[./])*[A-Za-z_$][\w$]*)(?:: ?(.*))?$/;
const MORE = /^\s+\.\.\. \d+ (?:more|common frames omitted)\s*$/;
const SUPPRESSED = /^\s+(?:Suppressed|Caused by): /;

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
  private causeFrames: StackFrame[] = [];
  private causes: { type: string; message: string }[] = [];
  private inCause = false;
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
    return this.frames.length > 0;
  }

  feed(raw: string, lineNo: number): FeedResult {
    const line = this.prefix.strip(raw);
    const at = JAVA_AT.exec(line);
    if (at) {
      // One level of indentation: the trace itself or a cause; deeper ones belong to Suppressed: blocks.
      const depth = at[1].includes('\t') ? at[1].length : Math.ceil(at[1].length / 4);
      if (depth <= 1) {
        const target = this.inCause ? this.causeFrames : this.frames;
        if (target.length < MAX_FRAMES) target.push(parseJavaFrame(at));
      }
      return this.keep(line, lineNo);
    }
    const cause = CAUSED_BY.exec(line);
    if (cause) {
      this.inCause = true;
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
    if (this.frames.length === 0) return null;
    return {
      language: 'java',
      type: this.type,
      message: capMessage(this.message),
      frames: this.frames,
      causes: this.causes.length ? this.causes : undefined,
      causeFrames: this.causeFrames.length ? this.causeFrames : undefined,
      first: this.first,
      last: this.last,
      text: this.text,
    };
  }
}
