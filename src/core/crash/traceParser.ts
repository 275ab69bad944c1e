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
  /** Frames of attached causes: a fallback when the top-level frames hold no user code (Java). */
  causeFrames?: StackFrame[];
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
