/** Node.js error stacks: uncaught errors with the source excerpt and caret, rejections, `[cause]`, console.error(err). */
import type { StackFrame } from './crashReport';
import { isDependencyPath } from './frameClassifier';
import { LinePrefix } from './logPrefix';
import {
  capMessage,
  framePrefixEnd,
  keepText,
  MAX_FRAMES,
  type FeedResult,
  type RawTrace,
  type RuntimeSpec,
  type StartContext,
  type TraceParser,
} from './traceParser';

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


/** How far back from a first `at` line the error's header may be (multi-line messages, `Require stack:`). */
const LOOKBACK = 12;
const EMBEDDED_NODE_HEADER = /(?:^|[\s:\]|)])([A-Z][\w$]*(?:Error|Exception))(?: \[([\w$]+)\])?: (.*)$/;
const REJECTION = /^\[UnhandledPromiseRejection: (.*)\] \{\s*$/;
const NODE_LIB = /(?:^node:|^undefined$|^internal[\\/]|<anonymous>|^native$|^evalmachine|^\[eval\])/;

/** A Node frame revealed a trace: walk back to its header (an `Error:` line, or one a logger prefixed). */
function startFromFrame(line: string, lineNo: number, i: number, ctx: StartContext): TraceParser | null {
  const prefix = new LinePrefix(line.slice(0, framePrefixEnd(line, i)));
  type Header = { back: number; type: string; message: string };
  let header: Header | null = null;
  let fallback: Header | null = null;
  for (let back = 1; back <= LOOKBACK; back++) {
    const raw = ctx.before(back);
    if (raw === null) break;
    const s = prefix.strip(raw);
    // Messages may hold blank lines (assert's diffs); an earlier frame means an earlier trace.
    if (s.trim() === '') continue;
    if (/^\s+at /.test(s)) break;
    const m = NODE_HEADER.exec(s);
    if (m && isNodeHeaderName(m[1])) {
      if (/(?:Error|Exception)$/.test(m[1])) {
        header = { back, type: m[1], message: m[3] ?? '' };
        break;
      }
      fallback ??= { back, type: m[1], message: m[3] ?? '' };
    }
  }
  if (!header && !fallback) {
    // A logger's prefix before the header: `[12:00:01] ERROR request failed: TypeError: x is not a function`.
    for (let back = 1; back <= LOOKBACK; back++) {
      const raw = ctx.before(back);
      if (raw === null) break;
      const s = prefix.strip(raw);
      if (/^\s+at /.test(s)) break;
      const m = EMBEDDED_NODE_HEADER.exec(s);
      if (m) {
        fallback = { back, type: m[1], message: m[3] };
        break;
      }
    }
  }
  header ??= fallback;
  if (!header) return null;
  const text: string[] = [];
  for (let back = header.back; back >= 1; back--) text.push(prefix.strip(ctx.before(back) ?? ''));
  const headerNo = ctx.lineNoBefore(header.back);
  const { first, excerpt, text: before } = excerptBefore(ctx, prefix, header.back, headerNo);
  const parser = new NodeStackParser(prefix, first, header.type, header.message, [...before, ...text], excerpt);
  return parser.feed(line, lineNo) === 'end' ? null : parser;
}

/**
 * Node prints `location\ncode\n   ^\n\n` before an uncaught error's header. `back` is how far the header is
 * behind the current line; returns the excerpt's location and first line when it is there.
 */
function excerptBefore(
  ctx: StartContext,
  prefix: LinePrefix,
  back: number,
  headerNo: number,
): { first: number; excerpt?: { file: string; line: number }; text: string[] } {
  const line = (k: number): string | null => {
    const raw = ctx.before(back + k);
    return raw === null ? null : prefix.strip(raw);
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
      return { first: ctx.lineNoBefore(back + k), excerpt: { file: m[1], line: Number(m[2]) }, text };
    }
  }
  return { first: headerNo, text: [] };
}

function startRejection(line: string, lineNo: number, i: number, ctx: StartContext): TraceParser | null {
  const prefix = new LinePrefix(line.slice(0, i));
  const body = line.slice(i);
  const m = REJECTION.exec(body);
  if (!m) return null;
  const { first, excerpt, text } = excerptBefore(ctx, prefix, 0, lineNo);
  text.push(body);
  return new NodeStackParser(prefix, first, 'UnhandledPromiseRejection', m[1], text, excerpt, true);
}

/** Node.js: frames reveal the trace (indented by four spaces, or two by some loggers); non-Error rejections. */
export const nodeRuntime = {
  language: 'node',
  starts: [
    { marker: '  at ', start: startFromFrame },
    { marker: '[UnhandledPromiseRejection', start: startRejection },
  ],
  isUserFrame: (f) => !!f.file && !NODE_LIB.test(f.file) && !isDependencyPath(f.file),
} as const satisfies RuntimeSpec;
