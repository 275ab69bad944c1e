/** The webview's log store: a compact ring buffer of lines with a hard cap (oldest lines are dropped). */
import type { LogLineDto } from '../src/protocol/dtos';
import type { LogStream } from '../src/protocol/dtos';

export const STREAM_CODES: Record<LogStream, number> = { stdout: 0, stderr: 1, system: 2 };
export const STREAM_NAMES: readonly LogStream[] = ['stdout', 'stderr', 'system'];

export interface StoredLine {
  text: string;
  stream: LogStream;
  seq: number;
  time: number;
}

/**
 * Lines are addressed by an absolute index that never changes (0 = first line ever appended since the last
 * clear); `start`..`end` is what is still held. Text lives in one array, the rest in typed arrays, so a million
 * lines cost little more than their strings. Storage grows by doubling up to `capacity`.
 */
export class LogBuffer {
  private texts: string[] = [];
  private streams = new Uint8Array(0);
  private seqs = new Float64Array(0);
  private times = new Float64Array(0);
  private size = 0;
  private first = 0; // absolute index of the oldest held line
  /** Changes on clear(), so views know their absolute indices are void. */
  generation = 0;

  constructor(readonly capacity = 1_000_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`LogBuffer capacity must be a positive integer, got ${capacity}`);
  }

  get start(): number {
    return this.first;
  }
  get end(): number {
    return this.first + this.size;
  }
  get length(): number {
    return this.size;
  }
  /** How many lines were dropped from the front because of the cap. */
  get dropped(): number {
    return this.first;
  }

  append(lines: readonly LogLineDto[]): void {
    for (const l of lines) if (l && typeof l === 'object') this.push(l.text, l.stream, l.seq, l.time);
  }

  push(text: string, stream: LogStream, seq: number, time: number): void {
    const slots = this.texts.length;
    if (this.size === slots && slots < this.capacity) this.grow(Math.min(this.capacity, Math.max(1024, slots * 2)));
    const cap = this.texts.length;
    let slot: number;
    if (this.size === cap) {
      slot = this.first % cap; // overwrite the oldest
      this.first++;
    } else {
      slot = (this.first + this.size) % cap;
      this.size++;
    }
    this.texts[slot] = typeof text === 'string' ? text : String(text);
    this.streams[slot] = STREAM_CODES[stream] ?? 0;
    this.seqs[slot] = seq;
    this.times[slot] = time;
  }

  has(abs: number): boolean {
    return abs >= this.first && abs < this.first + this.size;
  }

  text(abs: number): string {
    return this.texts[this.slot(abs)];
  }
  streamCode(abs: number): number {
    return this.streams[this.slot(abs)];
  }
  get(abs: number): StoredLine {
    const s = this.slot(abs);
    return { text: this.texts[s], stream: STREAM_NAMES[this.streams[s]] ?? 'stdout', seq: this.seqs[s], time: this.times[s] };
  }

  clear(): void {
    this.texts = [];
    this.streams = new Uint8Array(0);
    this.seqs = new Float64Array(0);
    this.times = new Float64Array(0);
    this.size = 0;
    this.first = 0;
    this.generation++;
  }

  private slot(abs: number): number {
    if (!this.has(abs)) throw new RangeError(`log line ${abs} is not held (held: ${this.first}..${this.end - 1})`);
    return abs % this.texts.length;
  }

  /** Re-lays the ring so that slot = abs % newCap still holds for every held line. */
  private grow(newCap: number): void {
    const texts = new Array<string>(newCap);
    const streams = new Uint8Array(newCap);
    const seqs = new Float64Array(newCap);
    const times = new Float64Array(newCap);
    const oldCap = this.texts.length;
    for (let abs = this.first; abs < this.first + this.size; abs++) {
      const from = abs % oldCap;
      const to = abs % newCap;
      texts[to] = this.texts[from];
      streams[to] = this.streams[from];
      seqs[to] = this.seqs[from];
      times[to] = this.times[from];
    }
    this.texts = texts;
    this.streams = streams;
    this.seqs = seqs;
    this.times = times;
  }
}
