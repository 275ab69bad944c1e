import * as assert from 'node:assert/strict';
import { encodeFrame, FrameDemuxer, type FrameStream } from '../../../src/core/runtime/frameDemuxer';

function demuxAll(chunks: Buffer[]): Array<[FrameStream, string]> {
  const out: Array<[FrameStream, Buffer[]]> = [];
  const d = new FrameDemuxer((stream, payload) => {
    const last = out[out.length - 1];
    if (last && last[0] === stream) last[1].push(Buffer.from(payload));
    else out.push([stream, [Buffer.from(payload)]]);
  });
  for (const c of chunks) d.push(c);
  return out.map(([s, parts]) => [s, Buffer.concat(parts).toString()]);
}

describe('FrameDemuxer', () => {
  it('tags stdout and stderr payloads by the header stream byte', () => {
    const stream = Buffer.concat([encodeFrame('stdout', 'out 1\n'), encodeFrame('stderr', 'err 1\n'), encodeFrame('stdout', 'out 2\n')]);
    assert.deepEqual(demuxAll([stream]), [
      ['stdout', 'out 1\n'],
      ['stderr', 'err 1\n'],
      ['stdout', 'out 2\n'],
    ]);
  });

  it('never leaks header bytes into the payload when a header is split across chunks', () => {
    const stream = Buffer.concat([encodeFrame('stderr', 'abc'), encodeFrame('stdout', 'defgh')]);
    for (let cut = 1; cut < stream.length; cut++) {
      for (let cut2 = cut; cut2 < stream.length; cut2++) {
        const got = demuxAll([stream.subarray(0, cut), stream.subarray(cut, cut2), stream.subarray(cut2)]);
        assert.deepEqual(got, [['stderr', 'abc'], ['stdout', 'defgh']], `cuts ${cut},${cut2}`);
      }
    }
  });

  it('delivers a large frame in pieces without waiting for all of it', () => {
    const big = Buffer.alloc(100_000, 0x61);
    const frame = encodeFrame('stdout', big);
    let delivered = 0;
    const d = new FrameDemuxer((_s, p) => (delivered += p.length));
    d.push(frame.subarray(0, 1000));
    assert.equal(delivered, 992);
    d.push(frame.subarray(1000));
    assert.equal(delivered, 100_000);
  });

  it('skips empty frames', () => {
    assert.deepEqual(demuxAll([Buffer.concat([encodeFrame('stdout', ''), encodeFrame('stderr', 'x')])]), [['stderr', 'x']]);
  });
});
