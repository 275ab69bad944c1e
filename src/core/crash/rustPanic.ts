/** Rust panics, with and without RUST_BACKTRACE; the user frame is the `panicked at` location. */
import type { StackFrame } from './crashReport';
import { isDependencyPath } from './frameClassifier';
import { LinePrefix } from './logPrefix';
import { capMessage, MAX_FRAMES, TraceLines, type FeedResult, type RawTrace, type RuntimeSpec, type TraceParser } from './traceParser';

/** Rust ≥ 1.73: `thread 'main' panicked at src/main.rs:4:5:` (message on the next line). */
const NEW_STYLE = /^thread '[^']*'(?: \(\d+\))? panicked at (.+?):(\d+):(\d+):\s*$/;
/** Older: `thread 'main' panicked at 'msg', src/main.rs:4:5`. */
const OLD_STYLE = /^thread '[^']*'(?: \(\d+\))? panicked at '(.*)', (.+?):(\d+):(\d+)\s*$/;
/** Rust ≥ 1.92 adds the thread id: `thread 'main' (8358) panicked at`. */
export const RUST_START = /^thread '[^']*'(?: \(\d+\))? panicked at /;
const BT_HEADER = /^stack backtrace:\s*$/;
const BT_FUNC = /^\s*\d+:\s+(?:0x[0-9a-f]+ - )?(.+?)\s*$/;
const BT_AT = /^\s+at (.+?):(\d+)(?::(\d+))?\s*$/;
const NOTE = /^note: /;

type State = 'message' | 'backtrace' | 'done';

export class RustPanicParser implements TraceParser {
  private state: State = 'message';
  private frames: StackFrame[] = [];
  private message = '';
  private messageLines = 0;
  private readonly file: string = '';
  private readonly line: number | null = null;
  private readonly trace: TraceLines;
  readonly valid: boolean;

  constructor(
    private readonly prefix: LinePrefix,
    first: number,
    firstLine: string,
  ) {
    this.trace = new TraceLines(first, firstLine);
    const n = NEW_STYLE.exec(firstLine);
    const o = n ? null : OLD_STYLE.exec(firstLine);
    if (n) {
      this.file = n[1];
      this.line = Number(n[2]);
    } else if (o) {
      this.message = capMessage(o[1]);
      this.messageLines = 1;
      this.file = o[2];
      this.line = Number(o[3]);
    }
    this.valid = !!(n || o);
  }

  get complete(): boolean {
    return this.messageLines > 0;
  }

  feed(raw: string, lineNo: number): FeedResult {
    const line = this.prefix.strip(raw);
    if (this.state === 'done') return 'end';
    if (NOTE.test(line)) {
      // "note: run with RUST_BACKTRACE=1" or "note: Some details are omitted": the panic report ends here.
      this.trace.keep(line, lineNo);
      this.state = 'done';
      return 'done';
    }
    if (BT_HEADER.test(line)) {
      this.state = 'backtrace';
      return this.trace.keep(line, lineNo);
    }
    if (this.state === 'message') {
      if (RUST_START.test(line)) return 'end';
      if (this.messageLines === 0) this.message = capMessage(line);
      if (++this.messageLines > 50) return 'end';
      return this.trace.keep(line, lineNo);
    }
    const at = BT_AT.exec(line);
    if (at) {
      const f = this.frames[this.frames.length - 1];
      if (f && !f.file) {
        f.file = at[1];
        f.line = Number(at[2]);
      }
      return this.trace.keep(line, lineNo);
    }
    const fn = BT_FUNC.exec(line);
    if (fn) {
      if (this.frames.length < MAX_FRAMES) this.frames.push({ file: '', line: null, function: fn[1].replace(/::h[0-9a-f]{16}$/, '') });
      return this.trace.keep(line, lineNo);
    }
    return 'end';
  }

  finish(): RawTrace | null {
    if (!this.valid) return null;
    return {
      language: 'rust',
      type: 'panic',
      message: this.message,
      frames: this.frames.filter((f) => f.file),
      hint: { file: this.file, line: this.line, primary: true },
      ...this.trace.span(),
    };
  }
}

const RUST_LIB = /(?:^\/rustc\/|^library[\\/](?:std|core|alloc)[\\/]|[\\/]\.cargo[\\/](?:registry|git)[\\/]|[\\/]library[\\/](?:std|core|alloc)[\\/]src[\\/]|[\\/]\.rustup[\\/])/;
const RUST_LIB_FN = /^(?:std::|core::|alloc::|rust_begin_unwind|__rust|_start|__libc_start|<unknown>)/;

/** Rust: `thread 'main' panicked at`. */
export const rustRuntime = {
  language: 'rust',
  starts: [
    {
      marker: 'panic',
      start(line, lineNo) {
        const i = line.indexOf("thread '");
        if (i < 0 || !RUST_START.test(line.slice(i))) return null;
        const rust = new RustPanicParser(new LinePrefix(line.slice(0, i)), lineNo, line.slice(i));
        return rust.valid ? rust : null;
      },
    },
  ],
  isUserFrame: (f) => !!f.file && !RUST_LIB.test(f.file) && !isDependencyPath(f.file) && !(f.function && RUST_LIB_FN.test(f.function)),
} as const satisfies RuntimeSpec;
