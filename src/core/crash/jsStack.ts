/** Node.js error stacks: uncaught errors with the source excerpt and caret, rejections, `[cause]`, console.error(err). */
import type { StackFrame } from './crashReport';
import type { LinePrefix } from './logPrefix';
import { capMessage, keepText, MAX_FRAMES, type FeedResult, type RawTrace, type TraceParser } from './traceParser';

const NODE_AT = /^\s+at (?:async )?(?:new )?(.*?)(?: \[as [^\]]+\])? \((.*)\)\s*$/;
const NODE_AT_BARE = /^\s+at (?:async )?(.*?)\s*$/;
const LOCATION = /^(.*?):(\d+)(?::(\d+))?$/;
const NODE_PSEUDO = /^(?:native|<anonymous>|node:[\w/]+|unknown location|eval at .*)$/;
/** An unhandled 'error' event prints where it was emitted as a second block of frames. */
const EMITTED = /^Emitted '[^']+' event on .* at:$/;
const OMITTED = /^\s+\.\.\. \d+ lines? matching cause stack trace \.\.\.$/;
const CAUSE = /^\s*\[cause\]: ([A-Za-z_$][\w$]*)(?: \[[\w$]+\])?: ?(.*?)(?: \{)?$/;
/** `Error: msg`, `TypeError [ERR_X]: msg`, `Uncaught Error: msg`, a bare `Error`. */
export const NODE_HEADER = /^(?:Uncaught )?([A-Z][\w$]*)(?: \[([\w$]+)\])?(?:: (.*))?$/;
/** The first line of an uncaught error's excerpt: `/app/x.js:12`, `file:///app/x.mjs:3`, `node:internal/...:496`. */
export const EXCERPT_LOCATION = /^(\S.*):(\d+)$/;
export const CARET = /^\s*\^+\s*$/;
const IMPORTED_FROM = / imported from (\S+?)\s*$/;
const REJECTION_REASON = /reason "(.*)"\.?\]?/;

/** A file:// URL becomes the path it names, so ESM and CommonJS frames look alike. */
export function normaliseFileUrl(file: string): string {
  if (!file.startsWith('file://')) return file;
  try {
    return decodeURIComponent(new URL(file).pathname);
  } catch {
    return file;
  }
}

/** Parses the text after `at ` of a Node frame line. */
export function parseNodeFrame(line: string): StackFrame | null {
  let fn: string | null = null;
  let loc: string;
  const m = NODE_AT.exec(line);
  if (m) {
    fn = m[1] || null;
    loc = m[2];
  } else {
    const b = NODE_AT_BARE.exec(line);
    if (!b) return null;
    loc = b[1];
  }
  const l = LOCATION.exec(loc);
  // Prose such as "    at the moment" is no frame: a location has line and column, or is a known pseudo-file.
  if (!l || l[3] === undefined) return NODE_PSEUDO.test(loc) ? { file: loc, line: null, function: fn } : null;
  return { file: normaliseFileUrl(l[1]), line: Number(l[2]), function: fn };
}

export function isNodeHeaderName(name: string): boolean {
  // console.trace() prints "Trace: ..." with frames; process warnings end in "Warning": neither is a crash.
  return name !== 'Trace' && !name.endsWith('Warning');
}

type State = 'frames' | 'props' | 'done';

export class NodeStackParser implements TraceParser {
  private frames: StackFrame[] = [];
  private state: State = 'frames';
  private causes: { type: string; message: string }[] = [];
  private last: number;
  private propsLines = 0;
  private hint: RawTrace['hint'];

  constructor(
    private readonly prefix: LinePrefix,
    private readonly first: number,
    private readonly type: string,
    private message: string,
    private readonly text: string[],
    excerpt: { file: string; line: number } | undefined,
    /** Started on a `{` line without frames (a rejection with a non-Error reason). */
    startInProps = false,
  ) {
    this.last = first;
    if (excerpt) this.hint = { file: normaliseFileUrl(excerpt.file), line: excerpt.line };
    const imported = IMPORTED_FROM.exec(message);
    // ERR_MODULE_NOT_FOUND names the importing file only in the message; the stack is all node:internal.
    if (imported) this.hint = { file: normaliseFileUrl(imported[1]), line: null };
    const reason = REJECTION_REASON.exec(message);
    if (type === 'UnhandledPromiseRejection' && reason) this.message = reason[1];
    this.message = capMessage(this.message);
    if (startInProps) this.state = 'props';
  }

  get complete(): boolean {
    return this.frames.length > 0 || this.state !== 'frames';
  }

  /** Feeds the first `at` line (the one that revealed the trace). */
  feed(raw: string, lineNo: number): FeedResult {
    const line = this.prefix.strip(raw);
    if (this.state === 'done') return 'end';
    if (this.state === 'props') {
      this.keep(line, lineNo);
      const c = CAUSE.exec(line);
      if (c) this.causes.push({ type: c[1], message: c[2] });
      // The inspected error's own properties end with a `}` in column 0.
      if (line === '}' || ++this.propsLines > 500) {
        this.state = 'done';
        return 'done';
      }
      return 'more';
    }
    const c = line.charCodeAt(0);
    if (EMITTED.test(line) && this.frames.length > 0) {
      this.keep(line, lineNo);
      return 'more';
    }
    if (c !== 32 && c !== 9) return 'end';
    let body = line;
    const opensProps = body.endsWith(' {');
    if (opensProps) body = body.slice(0, -2);
    if (OMITTED.test(body)) {
      this.keep(line, lineNo);
      return 'more';
    }
    const f = parseNodeFrame(body);
    if (!f || !/^\s+at /.test(body)) return 'end';
    if (this.frames.length < MAX_FRAMES) this.frames.push(f);
    this.keep(line, lineNo);
    if (opensProps) this.state = 'props';
    return 'more';
  }

  mayResumeAfter(raw: string): boolean {
    const line = this.prefix.strip(raw);
    return this.state === 'frames' && !NODE_HEADER.test(line) && !/(?:Error|Exception)(?: \[[\w$]+\])?: /.test(line);
  }

  private keep(line: string, lineNo: number): void {
    keepText(this.text, line);
    this.last = lineNo;
  }

  finish(): RawTrace | null {
    if (this.frames.length === 0 && this.type !== 'UnhandledPromiseRejection') return null;
    return {
      language: 'node',
      type: this.type,
      message: this.message,
      frames: this.frames,
      causes: this.causes.length ? this.causes : undefined,
      hint: this.hint,
      first: this.first,
      last: this.last,
      text: this.text,
    };
  }
}

