import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LogDecoder, type DecodedLine } from '../../../src/core/runtime/logDecoder';

// Raw bytes of a real `attach` stream (Docker 20.10, no TTY): a Python app writing ANSI colour, a CRLF line,
// UTF-8, half a stderr line interleaved with a 20 000-byte stdout line, then a ZeroDivisionError traceback.
const RAW = readFileSync(path.join(__dirname, 'fixtures/attach-python-mixed.bin'));

const EXPECTED: Array<[string, string]> = [
  ['stdout', 'starting \x1b[32mok\x1b[0m'],
  ['stdout', 'progress 50%'],
  ['stdout', 'ééé'],
  ['stdout', 'x'.repeat(20000)],
  ['stderr', 'warn: half a line'],
  ['stderr', 'Traceback (most recent call last):'],
  ['stderr', '  File "<string>", line 8, in <module>'],
  ['stderr', 'ZeroDivisionError: division by zero'],
];

function decode(chunkSize: number): DecodedLine[] {
  const lines: DecodedLine[] = [];
  const d = new LogDecoder((l) => lines.push(l));
  for (let off = 0; off < RAW.length; off += chunkSize) d.push(RAW.subarray(off, off + chunkSize));
  d.flush();
  return lines;
}

describe('decoding a captured attach stream', () => {
  for (const size of [1, 3, 8, 9, 100, 4096, RAW.length]) {
    it(`yields the app's lines, per stream and in order, in ${size}-byte chunks`, () => {
      const lines = decode(size);
      const byStream = (s: string) => lines.filter((l) => l.stream === s).map((l) => l.text);
      assert.deepEqual(byStream('stdout'), EXPECTED.filter(([s]) => s === 'stdout').map(([, t]) => t));
      assert.deepEqual(byStream('stderr'), EXPECTED.filter(([s]) => s === 'stderr').map(([, t]) => t));
      assert.ok(lines.every((l) => !l.truncated));
    });
  }
});
