/** The contract between the trace assembler and the per-runtime parsers, and the raw trace they produce. */
import type { CrashLanguage, StackFrame } from './crashReport';

/** What a parser says about one line: consumed ('more'), consumed and the trace is over ('done'), or not its line ('end'). */
export type FeedResult = 'more' | 'done' | 'end';

/** A trace as parsed, before user frames, path mapping and the signature are worked out. */
export interface RawTrace {
  language: CrashLanguage;
  type: string;
  message: string;
  /** Innermost first. */
  frames: StackFrame[];
  causes?: { type: string; message: string }[];
  /**
   * Frames of attached causes, root cause first (Java, .NET): the user frame is the innermost user frame of the
   * first of these lists that has one, before the top-level frames are tried.
   */
  causeFrames?: StackFrame[][];
  /**
   * A location printed outside the frames: Rust's `panicked at` (primary: it is the user frame when in user code),
   * Node's source excerpt or `imported from` (fallback when no frame is user code).
   */
  hint?: { file: string; line: number | null; primary?: boolean };
  first: number;
  last: number;
  text: string[];
}

/** One trace being parsed, line by line. */
export interface TraceParser {
  feed(line: string, lineNo: number): FeedResult;
  /** True when what has been seen is already a whole crash, so a quiet period may end it. */
  readonly complete: boolean;
  /**
   * Whether the trace may go on after this unrelated line (another thread's output). False when the line could
   * be the header of a new trace whose frames would otherwise be glued onto this one.
   */
  mayResumeAfter?(line: string): boolean;
  /** The trace, or null when the lines turned out not to be a crash. */
  finish(): RawTrace | null;
}

/** Caps that keep memory bounded on hostile input. */
export const MAX_FRAMES = 256;
export const MAX_TEXT_LINES = 400;
export const MAX_MESSAGE = 2000;

export function capMessage(m: string): string {
  return m.length > MAX_MESSAGE ? m.slice(0, MAX_MESSAGE) : m;
}

/** Appends a line of trace text, within the cap. */
export function keepText(text: string[], line: string): void {
  if (text.length < MAX_TEXT_LINES) text.push(line);
}

/** The text of a trace being parsed, within the cap, and the number of its last line so far. */
export class TraceLines {
  readonly text: string[] = [];
  private last: number;

  constructor(
    private readonly first: number,
    firstLine: string,
  ) {
    this.last = first;
    keepText(this.text, firstLine);
  }

  /** Keeps a line of the trace; returns 'more' so a parser's `feed` can return it. */
  keep(line: string, lineNo: number): FeedResult {
    keepText(this.text, line);
    this.last = lineNo;
    return 'more';
  }

  /** Where the trace stands in the log and its text, as a RawTrace carries them. */
  span(): Pick<RawTrace, 'first' | 'last' | 'text'> {
    return { first: this.first, last: this.last, text: this.text };
  }
}

/** What a runtime's start function may look at: the lines just before the current one, and other runtimes' starts. */
export interface StartContext {
  /** The line `back` lines before the current one in this stream (1 = the previous one), or null past the ring. */
  before(back: number): string | null;
  /** The log line number of that line (lines of other streams or services may lie between). */
  lineNoBefore(back: number): number;
  /** True when the line would start a trace of any runtime (for parsers that tolerate stray lines). */
  startsTrace(line: string): boolean;
}

/** One way a runtime's trace begins: a cheap substring test, then the runtime's own check. */
export interface TraceStart {
  /** A substring every line that starts such a trace contains; tried with `indexOf` on every idle line. */
  marker: string;
  /** A parser for the trace that `line` (holding `marker` at `at`) starts, or null when it starts none. */
  start(line: string, lineNo: number, at: number, ctx: StartContext): TraceParser | null;
}

/** Everything the detector knows about one runtime; `runtimeRegistry.ts` lists them. */
export interface RuntimeSpec {
  readonly language: string;
  /** In priority order; the first start whose marker is on a line decides for that marker. */
  readonly starts: readonly TraceStart[];
  /** True when the frame is in the app's own code (not the runtime, its standard library or a dependency). */
  isUserFrame(frame: StackFrame): boolean;
}

/**
 * Where the log prefix ends on a frame line whose `  at ` marker is at `i`: frames are indented by four spaces
 * (Node, JVM loggers), three (.NET) or two; whatever precedes that indentation is a prefix (`app-1  | `).
 */
export function framePrefixEnd(line: string, i: number): number {
  const at = i + 2;
  let r = at;
  while (r > 0 && line.charCodeAt(r - 1) === 32) r--;
  return at - r >= 4 ? at - 4 : r;
}
