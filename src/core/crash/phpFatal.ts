/**
 * PHP fatal errors: `PHP Fatal error:  Uncaught X: msg in /app/a.php:3` + `Stack trace:` + `#0 file(line): call` +
 * `  thrown in ... on line N` (which ends the trace), plain fatals and parse errors (`... in file on line N`).
 * Format: Zend/zend_exceptions.c (zend_exception_error) and main/main.c (php_error_cb) in php/php-src.
 */
import type { StackFrame } from './crashReport';
import { isDependencyPath } from './frameClassifier';
import { LinePrefix } from './logPrefix';
import { capMessage, MAX_FRAMES, TraceLines, type FeedResult, type RawTrace, type RuntimeSpec, type TraceParser } from './traceParser';

const UNCAUGHT = /^(?:PHP )?Fatal error: +Uncaught ([A-Za-z_\\][\w\\]*)(?:: (.*))? in (\S+?):(\d+)\s*$/;
const PLAIN = /^(?:PHP )?(Fatal|Parse) error: +(.*) in (\S+?) on line (\d+)\s*$/;
const STACK = /^Stack trace:\s*$/;
const FRAME = /^#\d+ (?:(\S.*?)\((\d+)\)|\[internal function\]): (.*?)\s*$/;
const MAIN = /^#\d+ \{main\}\s*$/;
const THROWN = /^\s+thrown in (\S+?) on line (\d+)\s*$/;

export class PhpFatalParser implements TraceParser {
  /** Where each call was made, outermost last; `calls[i]` is the function frame i called. */
  private readonly sites: { file: string; line: number | null; call: string }[] = [];
  private readonly trace: TraceLines;
  private ended = false;

  constructor(
    private readonly prefix: LinePrefix,
    first: number,
    firstLine: string,
    private readonly type: string,
    private readonly message: string,
    private readonly at: { file: string; line: number },
    /** A fatal without an exception object has no stack trace to wait for. */
    private readonly withStack: boolean,
  ) {
    this.trace = new TraceLines(first, firstLine);
  }

  get complete(): boolean {
    return true;
  }

  feed(raw: string, lineNo: number): FeedResult {
    if (this.ended || !this.withStack) return 'end';
    const line = this.prefix.strip(raw);
    if (STACK.test(line) || MAIN.test(line)) return this.trace.keep(line, lineNo);
    const f = FRAME.exec(line);
    if (f) {
      if (this.sites.length < MAX_FRAMES) this.sites.push({ file: f[1] ?? '[internal function]', line: f[2] ? Number(f[2]) : null, call: f[3] });
      return this.trace.keep(line, lineNo);
    }
    if (THROWN.test(line)) {
      this.trace.keep(line, lineNo);
      this.ended = true;
      return 'done';
    }
    return 'end';
  }

  finish(): RawTrace | null {
    // Frame #0 names the function that threw and where it was called from; the throw site is in the header.
    const fn = (call: string | undefined): string | null => (call ? call.replace(/\(.*$/, '') : null);
    const frames: StackFrame[] = [{ file: this.at.file, line: this.at.line, function: fn(this.sites[0]?.call) }];
    this.sites.forEach((s, i) => frames.push({ file: s.file, line: s.line, function: fn(this.sites[i + 1]?.call) ?? '{main}' }));
    return {
      language: 'php',
      type: this.type,
      message: capMessage(this.message),
      frames,
      ...this.trace.span(),
    };
  }
}

function startPhp(line: string, lineNo: number, at: number): TraceParser | null {
  // The marker is `Fatal error: `/`Parse error: `; `PHP ` may stand before it, and a log prefix before that.
  const i = line.lastIndexOf('PHP ', at) === at - 4 ? at - 4 : at;
  const body = line.slice(i);
  const prefix = new LinePrefix(line.slice(0, i));
  const u = UNCAUGHT.exec(body);
  if (u) return new PhpFatalParser(prefix, lineNo, body, u[1], u[2] ?? '', { file: u[3], line: Number(u[4]) }, true);
  const p = PLAIN.exec(body);
  if (p) {
    const type = p[1] === 'Parse' ? 'ParseError' : 'Fatal error';
    return new PhpFatalParser(prefix, lineNo, body, type, p[2], { file: p[3], line: Number(p[4]) }, false);
  }
  return null;
}

/** PHP: fatal and parse errors as the CLI, php-fpm or Apache's error log print them. */
export const phpRuntime = {
  language: 'php',
  starts: [
    { marker: 'Fatal error: ', start: startPhp },
    { marker: 'Parse error: ', start: startPhp },
  ],
  isUserFrame: (f) => !!f.file && !f.file.startsWith('[') && !isDependencyPath(f.file),
} as const satisfies RuntimeSpec;
