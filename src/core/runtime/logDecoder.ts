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

const TS = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z /;

/** Go's RFC3339Nano drops trailing zeros; pad the fraction so keys compare as strings. */
export function timestampKey(ts: string): string | undefined {
  const m = TS.exec(ts + (ts.endsWith(' ') ? '' : ' '));
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}` : undefined;
}

export class LogDecoder {
  private readonly demuxer: FrameDemuxer;
  private readonly splitters: Record<'stdout' | 'stderr' | 'system', LineSplitter>;

  constructor(onLine: (line: DecodedLine) => void, opts: { timestamps?: boolean; lineCap?: number } = {}) {
    const make = (stream: DecodedLine['stream']) =>
      new LineSplitter(({ text, truncated }) => {
        if (!opts.timestamps) return onLine({ stream, text, truncated });
        const m = TS.exec(text);
        if (!m) return onLine({ stream, text, truncated });
        onLine({ stream, text: text.slice(m[0].length), truncated, tsKey: `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}` });
      }, opts.lineCap ?? DEFAULT_LINE_CAP);
    this.splitters = { stdout: make('stdout'), stderr: make('stderr'), system: make('system') };
    this.demuxer = new FrameDemuxer((stream, payload) => {
      if (stream !== 'stdin') this.splitters[stream].push(payload);
    });
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
