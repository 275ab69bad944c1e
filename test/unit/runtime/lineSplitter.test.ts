import * as assert from 'node:assert/strict';
import { LineSplitter, type SplitLine } from '../../../src/core/runtime/lineSplitter';

function split(chunks: Buffer[], cap?: number): SplitLine[] {
  const lines: SplitLine[] = [];
  const s = new LineSplitter((l) => lines.push(l), cap);
  for (const c of chunks) s.push(c);
  s.flush();
  return lines;
}

/** Deterministic PRNG so a failing case can be reproduced from its seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

function randomCuts(buf: Buffer, rand: () => number): Buffer[] {
  const chunks: Buffer[] = [];
  let off = 0;
  while (off < buf.length) {
    const n = 1 + Math.floor(rand() * Math.min(64, buf.length - off));
    chunks.push(buf.subarray(off, off + n));
    off += n;
  }
  return chunks;
}

describe('LineSplitter', () => {
  it('yields the same lines whatever the chunk boundaries (property, 300 random splits)', () => {
    const words = ['alpha', 'β-beta', '日本語', '🙂 emoji', '', '\x1b[31mred\x1b[0m', 'tab\tsep', 'x'.repeat(90)];
    for (let seed = 1; seed <= 300; seed++) {
      const rand = rng(seed);
      const expected: string[] = [];
      const n = 1 + Math.floor(rand() * 30);
      for (let i = 0; i < n; i++) expected.push(words[Math.floor(rand() * words.length)] + ` #${i}`);
      const text = expected.map((l) => l + (rand() < 0.3 ? '\r\n' : '\n')).join('');
      const got = split(randomCuts(Buffer.from(text), rand)).map((l) => l.text);
      assert.deepEqual(got, expected, `seed ${seed}`);
    }
  });

  it('keeps a multi-byte character split across chunks intact', () => {
    const bytes = Buffer.from('€uro\n');
    assert.deepEqual(split([bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2)]), [{ text: '€uro', truncated: false }]);
  });

  it('treats \\r\\n as one line ending and keeps a lone \\r inside the line', () => {
    assert.deepEqual(split([Buffer.from('a\r\nb\rc\n')]).map((l) => l.text), ['a', 'b\rc']);
  });

  it('emits a final line without newline on flush', () => {
    assert.deepEqual(split([Buffer.from('one\ntwo')]).map((l) => l.text), ['one', 'two']);
  });

  it('tolerates invalid UTF-8 by substituting U+FFFD', () => {
    assert.deepEqual(split([Buffer.from([0x61, 0xff, 0x62, 0x0a])]).map((l) => l.text), ['a\ufffdb']);
  });

  it('cuts a line over the cap, marks it truncated and drops the rest until the newline', () => {
    const long = 'y'.repeat(250);
    const lines = split(randomCuts(Buffer.from(`before\n${long}\nafter\n`), rng(7)), 100);
    assert.deepEqual(lines, [
      { text: 'before', truncated: false },
      { text: 'y'.repeat(100), truncated: true },
      { text: 'after', truncated: false },
    ]);
  });

  it('keeps a line of exactly the cap whole', () => {
    assert.deepEqual(split([Buffer.from('z'.repeat(100) + '\n')], 100), [{ text: 'z'.repeat(100), truncated: false }]);
  });

  it('never ends a cut line in half a character', () => {
    const lines = split([Buffer.from('aa€€€€\n')], 5); // 'aa' + 3 bytes of '€' = 5 bytes
    assert.deepEqual(lines, [{ text: 'aa€', truncated: true }]);
    const lines2 = split([Buffer.from('aaa€€€\n')], 5); // would cut '€' after 2 of its 3 bytes
    assert.deepEqual(lines2, [{ text: 'aaa', truncated: true }]);
  });

  it('caps at 64 KiB by default', () => {
    const lines = split([Buffer.from('q'.repeat(200_000) + '\nok\n')]);
    assert.equal(lines[0].text.length, 64 * 1024);
    assert.equal(lines[0].truncated, true);
    assert.deepEqual(lines[1], { text: 'ok', truncated: false });
  });
});
