/** Finds where traces start in a stream of clean lines and hands each line to the parser of the current trace. */
import { LinePrefix } from './logPrefix';
import { PY_FRAME, PY_HEADER, PythonTracebackParser } from './pythonTraceback';
import { CARET, EXCERPT_LOCATION, isNodeHeaderName, NODE_HEADER, NodeStackParser } from './jsStack';
import { isJavaHeaderName, JAVA_AT, JAVA_HEADER, JavaStackParser } from './javaStack';
import { GO_START, GoPanicParser } from './goPanic';
import { RUST_START, RustPanicParser } from './rustPanic';
import { RubyBacktraceParser, rubyStart } from './rubyBacktrace';
import type { RawTrace, TraceParser } from './traceParser';

const RING = 16;
/** How far back from a first `at` line the error's header may be (multi-line messages, `Require stack:`). */
const LOOKBACK = 12;
const PY_GROUP_MARK = /^(.*?)\s*\+ Exception Group Traceback \(most recent call last\):\s*$/;
const EMBEDDED_NODE_HEADER = /(?:^|[\s:\]|)])([A-Z][\w$]*(?:Error|Exception))(?: \[([\w$]+)\])?: (.*)$/;
const RUBY_LOCATION = /(?<![^\s|\]])[^\s|\]]+?:\d+:(?:in [`']| syntax errors?\b)/;
const REJECTION = /^\[UnhandledPromiseRejection: (.*)\] \{\s*$/;

/**
 * One stream's trace state. Idle lines cost a handful of `indexOf` calls; regexes run only on candidate lines.
 * A parser that reports 'end' hands the line back, so a line ending one trace may start the next.
 */
export class TraceAssembler {
  private active: TraceParser | null = null;
  private readonly ring: string[] = new Array<string>(RING).fill('');
  private readonly ringNo: number[] = new Array<number>(RING).fill(0);
  private ringPos = 0;
  /** Unrelated lines seen since the active parser last took one. */
  private held = 0;

  /**
   * `tolerance`: how many unrelated lines (other threads, the other stream) a trace may hold across.
   * `holdComplete`: whether a trace that is already complete may wait for more (whole logs: yes; live streams:
   * no, a complete trace is emitted on the first unrelated line).
   */
  constructor(
    private readonly emit: (trace: RawTrace) => void,
    private readonly tolerance = 3,
    private readonly holdComplete = true,
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
    const p = this.ringPos;
    this.ring[p] = line;
    this.ringNo[p] = lineNo;
    this.ringPos = p + 1 === RING ? 0 : p + 1;
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
    if (trace) this.emit(trace);
  }

  private idle(line: string, lineNo: number): void {
    // Node and Java frames reveal a trace whose header is already behind us.
    let at = line.indexOf('    at ');
    if (at < 0) at = line.indexOf('\tat ');
    if (at >= 0) {
      this.startFromFrame(line, lineNo, at);
      return;
    }
    let i = line.indexOf('Traceback (most recent call last):');
    if (i >= 0) {
      const g = PY_GROUP_MARK.exec(line);
      if (g) {
        const prefix = new LinePrefix(g[1]);
        this.active = new PythonTracebackParser(prefix, lineNo, prefix.strip(line));
        return;
      }
      const prefix = new LinePrefix(line.slice(0, i));
      if (PY_HEADER.test(line.slice(i))) this.active = new PythonTracebackParser(prefix, lineNo, line.slice(i));
      return;
    }
    i = line.indexOf('File "');
    if (i >= 0) {
      // A traceback without its header: SyntaxError of the main script, or a log cut mid-trace.
      // Python indents frame lines by two spaces; whatever precedes them is a log prefix.
      const p = i >= 2 && line.charCodeAt(i - 1) === 32 && line.charCodeAt(i - 2) === 32 ? i - 2 : i;
      const rest = line.slice(p);
      if (PY_FRAME.test(rest)) this.active = new PythonTracebackParser(new LinePrefix(line.slice(0, p)), lineNo, rest);
      return;
    }
    i = line.indexOf('panic');
    if (i < 0) i = line.indexOf('fatal error: ');
    if (i >= 0) {
      this.startPanic(line, lineNo);
      return;
    }
    if (line.indexOf(':in ') >= 0 || line.indexOf('syntax error') >= 0) {
      this.startRuby(line, lineNo);
      return;
    }
    if (line.indexOf('[UnhandledPromiseRejection') >= 0) this.startRejection(line, lineNo);
  }

  private startPanic(line: string, lineNo: number): void {
    let i = line.indexOf("thread '");
    if (i >= 0 && RUST_START.test(line.slice(i))) {
      const rust = new RustPanicParser(new LinePrefix(line.slice(0, i)), lineNo, line.slice(i));
      if (rust.valid) this.active = rust;
      return;
    }
    i = line.indexOf('panic: ');
    if (i < 0) i = line.indexOf('fatal error: ');
    if (i < 0) return;
    // "don't panic: ..." in prose is no panic: the marker must start the line or follow a non-word prefix.
    if (i > 0 && /\w/.test(line.charAt(i - 1))) return;
    const m = GO_START.exec(line.slice(i));
    if (m) this.active = new GoPanicParser(new LinePrefix(line.slice(0, i)), lineNo, line.slice(i), m[1]);
  }

  private startRuby(line: string, lineNo: number): void {
    // Ruby prints the file first, so a log prefix ends where the first `file:line:in` token begins.
    const start = line.search(RUBY_LOCATION);
    if (start < 0) return;
    const head = rubyStart(line.slice(start));
    if (!head) return;
    const prefix = new LinePrefix(line.slice(0, start));
    this.active = new RubyBacktraceParser(prefix, lineNo, line.slice(start), head, (l) => this.startsTrace(l));
  }

  private startRejection(line: string, lineNo: number): void {
    const i = line.indexOf('[UnhandledPromiseRejection');
    const prefix = new LinePrefix(line.slice(0, i));
    const body = line.slice(i);
    const m = REJECTION.exec(body);
    if (!m) return;
    const { first, excerpt, text } = this.excerptBefore(prefix, 0, lineNo);
    text.push(body);
    this.active = new NodeStackParser(prefix, first, 'UnhandledPromiseRejection', m[1], text, excerpt, true);
  }

  /** True for a line that would begin a new trace (used where a parser tolerates stray lines). */
  private startsTrace(line: string): boolean {
    return (
      line.indexOf('Traceback (most recent call last):') >= 0 ||
      line.indexOf('    at ') >= 0 ||
      line.indexOf('\tat ') >= 0 ||
      line.indexOf('panic') >= 0 ||
      line.indexOf('fatal error: ') >= 0 ||
      rubyStart(line.trimStart()) !== null
    );
  }

  /** Ring index of the line `back` lines before the newest one (back = 1 is the previous line). */
  private ringAt(back: number): number {
    return (this.ringPos - back + RING * 2) % RING;
  }

  private startFromFrame(line: string, lineNo: number, at: number): void {
    const prefix = new LinePrefix(line.slice(0, at));
    const body = prefix.strip(line);
    const java = JAVA_AT.exec(body);
    // Walk back to the header, no further than an earlier frame.
    let headerBack = 0;
    let fallbackBack = 0;
    let header: RegExpExecArray | null = null;
    let fallback: RegExpExecArray | null = null;
    for (let back = 1; back <= LOOKBACK; back++) {
      const idx = this.ringAt(back);
      if (this.ringNo[idx] !== lineNo - back) break;
      const s = prefix.strip(this.ring[idx]);
      // Messages may hold blank lines (assert's diffs); an earlier frame means an earlier trace.
      if (s.trim() === '') continue;
      if (/^\s+at /.test(s)) break;
      if (java) {
        const m = JAVA_HEADER.exec(s);
        if (m && isJavaHeaderName(m[1])) {
          header = m;
          headerBack = back;
          break;
        }
      } else {
        const m = NODE_HEADER.exec(s);
        if (m && isNodeHeaderName(m[1])) {
          if (/(?:Error|Exception)$/.test(m[1])) {
            header = m;
            headerBack = back;
            break;
          }
          if (!fallback) {
            fallback = m;
            fallbackBack = back;
          }
        }
      }
    }
    if (!header && !fallback && !java) {
      // A logger's prefix before the header: `[12:00:01] ERROR request failed: TypeError: x is not a function`.
      for (let back = 1; back <= LOOKBACK; back++) {
        const idx = this.ringAt(back);
        if (this.ringNo[idx] !== lineNo - back) break;
        const s = prefix.strip(this.ring[idx]);
        if (/^\s+at /.test(s)) break;
        const m = EMBEDDED_NODE_HEADER.exec(s);
        if (m) {
          fallback = [m[0], m[1], m[2], m[3]] as unknown as RegExpExecArray;
          fallbackBack = back;
          break;
        }
      }
    }
    if (!header && fallback) {
      header = fallback;
      headerBack = fallbackBack;
    }
    if (!header) return;
    const text: string[] = [];
    for (let back = headerBack; back >= 1; back--) text.push(prefix.strip(this.ring[this.ringAt(back)]));
    const headerNo = lineNo - headerBack;
    let parser: TraceParser;
    if (java) {
      parser = new JavaStackParser(prefix, headerNo, header[1], header[2] ?? '', text);
    } else {
      const { first, excerpt, text: before } = this.excerptBefore(prefix, headerBack, headerNo);
      parser = new NodeStackParser(prefix, first, header[1], header[3] ?? '', [...before, ...text], excerpt);
    }
    if (parser.feed(line, lineNo) === 'end') return;
    this.active = parser;
  }

  /**
   * Node prints `location\ncode\n   ^\n\n` before an uncaught error's header. `back` is how far the header is
   * behind the newest ring entry; returns the excerpt's location and first line when it is there.
   */
  private excerptBefore(
    prefix: LinePrefix,
    back: number,
    headerNo: number,
  ): { first: number; excerpt?: { file: string; line: number }; text: string[] } {
    const line = (k: number): string | null => {
      const idx = this.ringAt(back + k);
      if (back + k > RING || this.ringNo[idx] !== headerNo - k) return null;
      return prefix.strip(this.ring[idx]);
    };
    // ESM link errors print the caret right above the header, without the blank line.
    const gap = line(1)?.trim() === '' ? 1 : 0;
    const caret = line(1 + gap);
    if (caret === null || !CARET.test(caret)) return { first: headerNo, text: [] };
    // The code line may be missing (caret right after the location) in some Node versions.
    for (const k of [3 + gap, 2 + gap]) {
      const loc = line(k);
      const m = loc !== null ? EXCERPT_LOCATION.exec(loc) : null;
      if (m) {
        const text: string[] = [];
        for (let j = k; j >= 1; j--) text.push(line(j) ?? '');
        return { first: headerNo - k, excerpt: { file: m[1], line: Number(m[2]) }, text };
      }
    }
    return { first: headerNo, text: [] };
  }
}
