/**
 * One container output stream → complete lines: demux frames, split per stream (each keeps its own partial tail),
 * optionally strip the RFC 3339 timestamps `logs?timestamps=1` prefixes (used when re-following after a lost attach).
 */
import { FrameDemuxer } from './frameDemuxer';
import { DEFAULT_LINE_CAP, LineSplitter } from './lineSplitter';

export interface DecodedLine {
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
  truncated: boolean;
  /** Sortable timestamp key (timestamped streams only). */
  tsKey?: string;
}

const TS = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/;
/** Longest timestamp prefix we look for before giving up (RFC3339Nano is 30 bytes). */
const MAX_TS = 40;

/** Go's RFC3339Nano drops trailing zeros; pad the fraction so keys compare as strings. */
export function timestampKey(ts: string): string | undefined {
  const m = TS.exec(ts.trim());
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}` : undefined;
}

type Stream = 'stdout' | 'stderr' | 'system';

export class LogDecoder {
  private readonly demuxer: FrameDemuxer;
  private readonly splitters: Record<Stream, LineSplitter>;
  /** Timestamp mode: bytes of a frame's timestamp prefix seen so far (it may span chunks). */
  private readonly tsPrefix: Record<Stream, Buffer[] | undefined> = { stdout: undefined, stderr: undefined, system: undefined };
  /** Timestamp of the frame in which the current line of each stream began. */
  private readonly lineTs: Record<Stream, string | undefined> = { stdout: undefined, stderr: undefined, system: undefined };

  constructor(onLine: (line: DecodedLine) => void, private readonly opts: { timestamps?: boolean; lineCap?: number } = {}) {
    const make = (stream: Stream) =>
      new LineSplitter(({ text, truncated }) => {
        const tsKey = this.lineTs[stream];
        onLine(opts.timestamps && tsKey ? { stream, text, truncated, tsKey } : { stream, text, truncated });
      }, opts.lineCap ?? DEFAULT_LINE_CAP);
    this.splitters = { stdout: make('stdout'), stderr: make('stderr'), system: make('system') };
    this.demuxer = new FrameDemuxer((stream, payload, frameStart) => {
      if (stream === 'stdin') return;
      if (this.opts.timestamps) this.pushTimestamped(stream, payload, frameStart);
      else this.splitters[stream].push(payload);
    });
  }

  /**
   * With `timestamps=1` every log message (frame) starts with "<RFC3339Nano> ", including each 16 KiB partial of a
   * long line, so the prefix is stripped per frame, not per line.
   */
  private pushTimestamped(stream: Stream, payload: Buffer, frameStart: boolean): void {
    if (frameStart) this.tsPrefix[stream] = [];
    const collected = this.tsPrefix[stream];
    if (collected) {
      const space = payload.indexOf(0x20);
      const seen = collected.reduce((n, b) => n + b.length, 0);
      if (space === -1 && seen + payload.length < MAX_TS) {
        collected.push(payload);
        return;
      }
      this.tsPrefix[stream] = undefined;
      const head = Buffer.concat([...collected, space === -1 ? payload : payload.subarray(0, space)]);
      const key = timestampKey(head.toString('latin1'));
      if (key === undefined) {
        // Not a timestamp after all: the bytes are content.
        this.splitters[stream].push(head);
        if (space !== -1) this.splitters[stream].push(payload.subarray(space));
        return;
      }
      // The partials of one long line share the first partial's timestamp, and Docker (20.10, `local` driver) ends
      // the last partial without its newline: a new timestamp while a line is open means that line has ended.
      if (this.splitters[stream].midLine && key !== this.lineTs[stream]) this.splitters[stream].flush();
      if (!this.splitters[stream].midLine) this.lineTs[stream] = key;
      payload = space === -1 ? Buffer.alloc(0) : payload.subarray(space + 1);
    }
    this.splitters[stream].push(payload);
  }

  push(chunk: Buffer): void {
    this.demuxer.push(chunk);
  }

  /** Emits every stream's partial tail (the stream ended). */
  flush(): void {
    for (const s of Object.values(this.splitters)) s.flush();
  }

  /** Drops partial tails (a backfill will repeat those lines whole). */
  reset(): void {
    for (const s of Object.values(this.splitters)) s.reset();
  }
}
