/**
 * Demultiplexes Docker's non-TTY attach/logs stream: 8-byte frame headers (byte 0 = stream, bytes 4–7 = big-endian
 * payload size) followed by the payload. Our own because docker-modem's demuxStream ignores backpressure and
 * concatenates buffers per chunk (see shared reference: Docker log streams).
 */
export type FrameStream = 'stdin' | 'stdout' | 'stderr' | 'system';

const STREAMS: Record<number, FrameStream> = { 0: 'stdin', 1: 'stdout', 2: 'stderr', 3: 'system' };
const HEADER = 8;

/**
 * Feed raw chunks with `push`; payload bytes are handed on as soon as they arrive (a frame split over chunks is
 * delivered in pieces, never re-assembled), so memory stays bounded by the chunk size whatever the frame size.
 */
export class FrameDemuxer {
  private readonly header = Buffer.alloc(HEADER);
  private headerFill = 0;
  private remaining = 0;
  private current: FrameStream = 'stdout';

  /** `frameStart` is true for the first piece of each frame (a `logs?timestamps=1` frame starts with its timestamp). */
  constructor(private readonly onPayload: (stream: FrameStream, payload: Buffer, frameStart: boolean) => void) {}
  private atFrameStart = false;

  push(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.remaining === 0) {
        const take = Math.min(HEADER - this.headerFill, chunk.length - off);
        chunk.copy(this.header, this.headerFill, off, off + take);
        this.headerFill += take;
        off += take;
        if (this.headerFill < HEADER) return;
        this.headerFill = 0;
        // An unknown stream byte means the stream was not multiplexed (TTY) or is corrupt; treat it as stdout
        // rather than dropping output.
        this.current = STREAMS[this.header[0]] ?? 'stdout';
        this.remaining = this.header.readUInt32BE(4);
        this.atFrameStart = true;
        continue;
      }
      const take = Math.min(this.remaining, chunk.length - off);
      this.remaining -= take;
      const frameStart = this.atFrameStart;
      this.atFrameStart = false;
      this.onPayload(this.current, chunk.subarray(off, off + take), frameStart);
      off += take;
    }
  }
}

/** Encodes one frame (tests and fixtures). */
export function encodeFrame(stream: 'stdout' | 'stderr', payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const head = Buffer.alloc(HEADER);
  head[0] = stream === 'stdout' ? 1 : 2;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}
