/**
 * Splits a byte stream into complete lines, keeping the partial tail across chunk boundaries. `\r\n` ends a line
 * like `\n`; a line longer than the cap is cut (marked truncated) and the rest of it dropped until the newline.
 * Bytes are decoded per complete line, so a UTF-8 character split across chunks survives; invalid UTF-8 becomes
 * U+FFFD. ANSI escapes are kept (the display wants them; the crash scanner strips them).
 */
export const DEFAULT_LINE_CAP = 64 * 1024;

export interface SplitLine {
  text: string;
  truncated: boolean;
}

const NL = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  private parts: Buffer[] = [];
  private length = 0;
  /** After a cut: drop bytes until the next newline. */
  private dropping = false;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(
    private readonly onLine: (line: SplitLine) => void,
    private readonly cap = DEFAULT_LINE_CAP,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NL, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!this.dropping) this.append(chunk.subarray(start, end));
      if (nl === -1) return;
      if (this.dropping) this.dropping = false;
      else this.emit(false);
      start = nl + 1;
    }
  }

  /** True while a line has started but not ended. */
  get midLine(): boolean {
    return this.length > 0 || this.dropping;
  }

  /** Emits the partial tail, if any, as a final line (stream end). */
  flush(): void {
    if (this.dropping) {
      this.dropping = false;
      return;
    }
    if (this.length > 0) this.emit(false);
  }

  /** Forgets the partial tail without emitting it (a backfill will deliver the whole line). */
  reset(): void {
    this.parts = [];
    this.length = 0;
    this.dropping = false;
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const room = this.cap - this.length;
    if (bytes.length <= room) {
      this.parts.push(bytes);
      this.length += bytes.length;
      return;
    }
    // Past the cap: emit what fits, then drop the rest of this line (a line of exactly `cap` bytes is kept whole).
    this.parts.push(bytes.subarray(0, room));
    this.length += room;
    this.emit(true);
    this.dropping = true;
  }

  private emit(truncated: boolean): void {
    let buf = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.length);
    this.parts = [];
    this.length = 0;
    if (truncated) buf = buf.subarray(0, completeUtf8Length(buf));
    else if (buf.length > 0 && buf[buf.length - 1] === CR) buf = buf.subarray(0, buf.length - 1);
    this.onLine({ text: this.decoder.decode(buf), truncated });
  }
}

/** Length of `buf` without a trailing incomplete UTF-8 sequence (so a cut never ends in U+FFFD). */
function completeUtf8Length(buf: Buffer): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back];
    if ((b & 0xc0) !== 0x80) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      return need > back ? n - back : n;
    }
  }
  return n;
}
