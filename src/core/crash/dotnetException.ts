/**
 * .NET exceptions: `Unhandled exception. System.X: msg` from the host, or `System.X: msg` logged by
 * Microsoft.Extensions.Logging (ASP.NET Core's `fail:` records), with ` ---> ` inner exceptions and
 * `--- End of inner exception stack trace ---`. Format: Exception.ToString() in dotnet/runtime
 * (src/libraries/System.Private.CoreLib/src/System/Exception.cs).
 */
import type { StackFrame } from './crashReport';
import { isDependencyPath } from './frameClassifier';
import { LinePrefix } from './logPrefix';
import {
  capMessage,
  framePrefixEnd,
  MAX_FRAMES,
  TraceLines,
  type FeedResult,
  type RawTrace,
  type RuntimeSpec,
  type StartContext,
  type TraceParser,
} from './traceParser';

/** `at Ns.Type.Method(String s) in /app/Program.cs:line 12`; the part after `in` is there when symbols are. */
const DOTNET_AT = /^\s+at ([^\s(]+\([^()]*\))(?: in (.+):line (\d+))?\s*$/;
/** `System.X: msg`; Npgsql and COM exceptions add their HRESULT: `Npgsql.PostgresException (0x80004005): msg`. */
const HEADER = /^((?:[A-Za-z_][\w`]*\.)+[A-Za-z_][\w`]*(?:Exception|Error))(?: \(0x[0-9A-Fa-f]+\))?(?:: (.*))?$/;
const UNHANDLED = /^Unhandled exception\. ((?:[A-Za-z_][\w`]*\.)*[A-Za-z_][\w`]*)(?:: (.*))?$/;
const INNER = /^\s*---> ((?:[A-Za-z_][\w`]*\.)*[A-Za-z_][\w`]*)(?:: (.*))?$/;
const END_INNER = /^\s*--- End of inner exception stack trace ---\s*$/;
const END_PREVIOUS = /^\s*--- End of stack trace from previous location(?: where exception was thrown)? ---\s*$/;
const LOOKBACK = 4;

export class DotnetExceptionParser implements TraceParser {
  /** Frame lists from the outermost exception (0) to the innermost; frames fill the innermost open one first. */
  private readonly lists: StackFrame[][] = [[]];
  private readonly causes: { type: string; message: string }[] = [];
  private depth = 0;
  private readonly trace: TraceLines;
  private readonly message: string;

  constructor(
    private readonly prefix: LinePrefix,
    first: number,
    firstLine: string,
    private readonly type: string,
    message: string,
  ) {
    this.trace = new TraceLines(first, firstLine);
    this.message = capMessage(message);
  }

  get complete(): boolean {
    return this.lists.some((l) => l.length > 0);
  }

  feed(raw: string, lineNo: number): FeedResult {
    const line = this.prefix.strip(raw);
    const at = DOTNET_AT.exec(line);
    if (at) {
      const list = this.lists[this.depth];
      if (list.length < MAX_FRAMES) list.push({ file: at[2] ?? '', line: at[3] ? Number(at[3]) : null, function: at[1] });
      return this.trace.keep(line, lineNo);
    }
    const inner = INNER.exec(line);
    if (inner && !this.complete) {
      this.causes.push({ type: inner[1], message: capMessage(inner[2] ?? '') });
      this.lists.push([]);
      this.depth = this.lists.length - 1;
      return this.trace.keep(line, lineNo);
    }
    if (END_INNER.test(line)) {
      if (this.depth > 0) this.depth--;
      return this.trace.keep(line, lineNo);
    }
    if (END_PREVIOUS.test(line)) return this.trace.keep(line, lineNo);
    return 'end';
  }

  finish(): RawTrace | null {
    if (!this.complete) return null;
    const causeFrames = this.lists.slice(1).filter((l) => l.length > 0).reverse();
    return {
      language: 'dotnet',
      type: this.type,
      message: this.message,
      frames: this.lists[0].length ? this.lists[0] : (causeFrames[0] ?? []),
      causes: this.causes.length ? this.causes : undefined,
      causeFrames: causeFrames.length ? causeFrames : undefined,
      ...this.trace.span(),
    };
  }
}

function startUnhandled(line: string, lineNo: number, i: number): TraceParser | null {
  const m = UNHANDLED.exec(line.slice(i));
  return m ? new DotnetExceptionParser(new LinePrefix(line.slice(0, i)), lineNo, line.slice(i), m[1], m[2] ?? '') : null;
}

/** A logged exception: the frames reveal it, the header is just above (a logger indents the whole record). */
function startFromFrame(line: string, lineNo: number, i: number, ctx: StartContext): TraceParser | null {
  const prefix = new LinePrefix(line.slice(0, framePrefixEnd(line, i)));
  if (!DOTNET_AT.test(prefix.strip(line))) return null;
  for (let back = 1; back <= LOOKBACK; back++) {
    const raw = ctx.before(back);
    if (raw === null) return null;
    // Blank lines, ` ---> Inner: msg` lines and message lines may sit between the header and the first frame.
    const head = prefix.strip(raw).trim();
    const m = HEADER.exec(head);
    if (!m) continue;
    const parser = new DotnetExceptionParser(prefix, ctx.lineNoBefore(back), head, m[1], m[2] ?? '');
    for (let k = back - 1; k >= 1; k--) parser.feed(prefix.strip(ctx.before(k) ?? '').trim(), ctx.lineNoBefore(k));
    return parser.feed(line, lineNo) === 'end' ? null : parser;
  }
  return null;
}

const DOTNET_LIB_FN = /^(?:System|Microsoft|Internal|Interop|lambda_method\d*|Npgsql|Newtonsoft|Serilog|Grpc)[.(]/;

/** .NET: `Unhandled exception.` from the host; frames (`   at X() in file:line N`) of a logged exception. */
export const dotnetRuntime = {
  language: 'dotnet',
  starts: [
    { marker: 'Unhandled exception. ', start: startUnhandled },
    { marker: '  at ', start: startFromFrame },
  ],
  isUserFrame: (f) => !!f.file && !f.file.startsWith('/_/') && !isDependencyPath(f.file) && !(f.function && DOTNET_LIB_FN.test(f.function)),
} as const satisfies RuntimeSpec;
