/** Maps visible log rows to buffer lines under the current filter (stream toggles + search text), incrementally. */
import { stripAnsi } from './ansi';
import type { LogBuffer } from './logBuffer';
import type { LogStream } from '../src/protocol/dtos';

export interface LogFilter {
  query: string;
  streams: Record<LogStream, boolean>;
}

export const ALL_STREAMS: Record<LogStream, boolean> = { stdout: true, stderr: true, system: true };

export function isFilterActive(f: LogFilter): boolean {
  return f.query.trim() !== '' || !f.streams.stdout || !f.streams.stderr || !f.streams.system;
}

/** A case-insensitive plain-text matcher (the query is not a regex: users paste paths and brackets). */
export function makeMatcher(f: LogFilter): (text: string, streamCode: number) => boolean {
  const allowed = [f.streams.stdout, f.streams.stderr, f.streams.system];
  const q = f.query.trim();
  const re = q ? new RegExp(q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i') : null;
  return (text, code) => {
    if (!allowed[code]) return false;
    if (!re) return true;
    return re.test(text.indexOf('\x1b') >= 0 || text.indexOf('\r') >= 0 ? stripAnsi(text) : text);
  };
}

/**
 * Row i → absolute line index. Without a filter rows are the buffer itself; with one, the matching absolute
 * indices are kept sorted in a typed array that only scans lines appended since the last sync.
 */
export class LogIndex {
  private matches = new Float64Array(1024);
  private head = 0;
  private tail = 0;
  private scanned = 0;
  private generation = -1;
  private matcher: ((text: string, code: number) => boolean) | null = null;

  constructor(private readonly buffer: LogBuffer) {}

  setFilter(filter: LogFilter): void {
    this.matcher = isFilterActive(filter) ? makeMatcher(filter) : null;
    this.generation = -1; // forces a rescan
    this.sync();
  }

  get filtered(): boolean {
    return this.matcher !== null;
  }

  /** Brings the index up to date with the buffer (new lines scanned, dropped lines forgotten). */
  sync(): void {
    const b = this.buffer;
    if (!this.matcher) return;
    if (this.generation !== b.generation) {
      this.generation = b.generation;
      this.head = this.tail = 0;
      this.scanned = b.start;
    }
    while (this.head < this.tail && this.matches[this.head] < b.start) this.head++;
    const from = Math.max(this.scanned, b.start);
    const match = this.matcher;
    for (let abs = from; abs < b.end; abs++) {
      if (match(b.text(abs), b.streamCode(abs))) this.add(abs);
    }
    this.scanned = b.end;
  }

  get count(): number {
    return this.matcher ? this.tail - this.head : this.buffer.length;
  }

  rowAt(row: number): number {
    return this.matcher ? this.matches[this.head + row] : this.buffer.start + row;
  }

  /** The row showing `abs`, or the row of the first match after it; -1 when past the end. */
  rowOf(abs: number): number {
    if (!this.matcher) return abs < this.buffer.start ? 0 : abs >= this.buffer.end ? -1 : abs - this.buffer.start;
    let lo = this.head;
    let hi = this.tail;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.matches[mid] < abs) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.tail ? -1 : lo - this.head;
  }

  private add(abs: number): void {
    if (this.tail === this.matches.length) {
      const live = this.tail - this.head;
      if (this.head > this.matches.length / 2) {
        this.matches.copyWithin(0, this.head, this.tail);
      } else {
        const next = new Float64Array(this.matches.length * 2);
        next.set(this.matches.subarray(this.head, this.tail));
        this.matches = next;
      }
      this.head = 0;
      this.tail = live;
    }
    this.matches[this.tail++] = abs;
  }
}
