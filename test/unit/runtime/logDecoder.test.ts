import * as assert from 'node:assert/strict';
import { encodeFrame } from '../../../src/core/runtime/frameDemuxer';
import { LogDecoder, timestampKey, type DecodedLine } from '../../../src/core/runtime/logDecoder';

describe('LogDecoder', () => {
  it('keeps a separate partial tail per stream when frames interleave mid-line', () => {
    const lines: DecodedLine[] = [];
    const d = new LogDecoder((l) => lines.push(l));
    d.push(Buffer.concat([encodeFrame('stdout', 'hel'), encodeFrame('stderr', 'Trace'), encodeFrame('stdout', 'lo\n'), encodeFrame('stderr', 'back\n')]));
    assert.deepEqual(
      lines.map((l) => [l.stream, l.text]),
      [
        ['stdout', 'hello'],
        ['stderr', 'Traceback'],
      ],
    );
  });

  it('survives random chunking of a multiplexed stream (property)', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let round = 0; round < 100; round++) {
      const expected: Array<[string, string]> = [];
      const frames: Buffer[] = [];
      for (let i = 0; i < 40; i++) {
        const stream = rand() < 0.5 ? 'stdout' : 'stderr';
        const text = `${stream} line ${i} ${'ä'.repeat(Math.floor(rand() * 20))}`;
        expected.push([stream, text]);
        frames.push(encodeFrame(stream, text + '\n'));
      }
      const all = Buffer.concat(frames);
      const got: Array<[string, string]> = [];
      const d = new LogDecoder((l) => got.push([l.stream, l.text]));
      for (let off = 0; off < all.length; ) {
        const n = 1 + Math.floor(rand() * 50);
        d.push(all.subarray(off, off + n));
        off += n;
      }
      d.flush();
      assert.deepEqual(got, expected, `round ${round}`);
    }
  });

  it('strips the RFC 3339 timestamp of each log message and gives sortable keys when asked', () => {
    const lines: DecodedLine[] = [];
    const d = new LogDecoder((l) => lines.push(l), { timestamps: true });
    d.push(Buffer.concat([encodeFrame('stdout', '2026-11-25T20:00:01.5Z first\n'), encodeFrame('stdout', '2026-11-25T20:00:01.123456789Z second\n')]));
    assert.deepEqual(lines.map((l) => l.text), ['first', 'second']);
    assert.equal(lines[0].tsKey, '2026-11-25T20:00:01.500000000');
    assert.ok(lines[1].tsKey! < lines[0].tsKey!);
    assert.equal(timestampKey('2026-11-25T20:00:01Z'), '2026-11-25T20:00:01.000000000');
  });

  it('joins the 16 KiB partial messages of a long line, each with its own timestamp, into one line', () => {
    const ts = '2026-11-25T20:40:05.917628509Z ';
    const frames = Buffer.concat([
      encodeFrame('stdout', ts + 'a'.repeat(16384)),
      encodeFrame('stdout', ts + 'a'.repeat(16384)),
      // As captured from Docker 20.10: the last partial comes without its newline.
      encodeFrame('stdout', ts + 'a'.repeat(7232)),
      encodeFrame('stdout', '2026-11-25T20:40:05.917827436Z b\n'),
    ]);
    for (const size of [1, 7, 31, 4096, frames.length]) {
      const lines: DecodedLine[] = [];
      const d = new LogDecoder((l) => lines.push(l), { timestamps: true });
      for (let off = 0; off < frames.length; off += size) d.push(frames.subarray(off, off + size));
      assert.deepEqual(lines.map((l) => l.text), ['a'.repeat(40000), 'b'], `chunk size ${size}`);
      assert.equal(lines[0].tsKey, '2026-11-25T20:40:05.917628509');
      assert.equal(lines[1].tsKey, '2026-11-25T20:40:05.917827436');
    }
  });
});
