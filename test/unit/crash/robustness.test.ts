import * as assert from 'node:assert/strict';
import { CrashScanner } from '../../../src/core/crash/crashScanner';
import { scanText } from '../../../src/core/crash/scanText';
import { loadFixtures } from './fixtureCorpus';

/** Small deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ' \t\n\r\x1b[31m0123456789:()/."\'|+-^~{}[]atFilepanicTracebackError\u00e9\ufffd\u0000';
const fixtures = loadFixtures();

describe('crash detection robustness', () => {
  it('never throws on random noise, random truncation and random splicing of real logs (500 seeds)', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const rand = rng(seed);
      const base = fixtures[Math.floor(rand() * fixtures.length)].log;
      let text = base.slice(Math.floor(rand() * base.length), Math.floor(rand() * base.length) + 1 + Math.floor(rand() * base.length));
      const noise = Array.from({ length: Math.floor(rand() * 200) }, () => ALPHABET[Math.floor(rand() * ALPHABET.length)]).join('');
      const at = Math.floor(rand() * (text.length + 1));
      text = text.slice(0, at) + noise + text.slice(at);
      try {
        const reports = scanText(text);
        for (const r of reports) {
          assert.ok(typeof r.type === 'string' && r.type.length > 0);
          assert.ok(r.lines[0] <= r.lines[1]);
          JSON.stringify(r);
        }
        const s = new CrashScanner({ quietMs: Infinity });
        let n = 0;
        s.onCrash(() => n++);
        for (const l of text.split('\n')) s.push(l, rand() < 0.5 ? 'stdout' : 'stderr');
        s.flush();
        s.dispose();
      } catch (err) {
        assert.fail(`seed ${seed} threw: ${(err as Error).stack}`);
      }
    }
  });

  it('finds the same crash in every real log truncated after its last trace line', () => {
    for (const c of fixtures.filter((f) => f.count > 0)) {
      const full = scanText(c.log);
      const lastLine = full[full.length - 1].lines[1];
      const cut = c.log.split('\n').slice(0, lastLine).join('\n');
      assert.deepEqual(scanText(cut).map((r) => r.type), full.map((r) => r.type), c.name);
    }
  });

  it('keeps each crash whole when another thread writes a line into the middle of its trace', () => {
    const noise = ['GET /health 200 3ms', 'worker 2: processed 17 items', '127.0.0.1 - - [01/May/2024 10:00:00] "GET / HTTP/1.1" 200 -'];
    const key = (text: string) => scanText(text).map((r) => [r.type, r.userFrame?.file, r.userFrame?.line].join('|'));
    let total = 0;
    const failures: string[] = [];
    for (const c of fixtures) {
      const expected = key(c.log);
      const lines = c.log.split('\n');
      for (let at = 1; at < Math.min(lines.length - 1, 12); at++) {
        for (const n of noise) {
          total++;
          const got = key([...lines.slice(0, at), n, ...lines.slice(at)].join('\n'));
          if (JSON.stringify(got) !== JSON.stringify(expected)) failures.push(`${c.name} @${at}: ${JSON.stringify(got)}`);
        }
      }
    }
    // Only a line inside Node's source excerpt (printed in one write, so never split in practice) may lose the
    // excerpt's location; everything else must come out exactly as without the noise.
    const unexpected = failures.filter((f) => !/^node\/(?:syntax_error|esm_missing_export) @[1-4]:/.test(f));
    assert.deepEqual(unexpected, [], `${failures.length}/${total} variants differ`);
  });

  it('handles invalid UTF-8 decoded to replacement characters around a trace', () => {
    const bytes = Buffer.concat([
      Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x0a]),
      Buffer.from('Traceback (most recent call last):\n  File "/app/m\xe9.py", line 3, in f\n'),
      Buffer.from([0xe2, 0x82, 0x0a]),
      Buffer.from('ValueError: bad \xff byte\n'),
    ]);
    const r = scanText(bytes.toString('utf8'));
    assert.equal(r.length, 1);
    assert.equal(r[0].type, 'ValueError');
    assert.equal(r[0].userFrame?.line, 3);
  });

  it('caps a 10 MB line and still finds the crash that follows it', () => {
    const huge = 'x'.repeat(10 * 1024 * 1024);
    const log = `${huge}\nTraceback (most recent call last):\n  File "/app/a.py", line 1, in <module>\nNameError: name 'y' is not defined\n${huge}Traceback`;
    const r = scanText(log);
    assert.equal(r.length, 1);
    assert.ok((r[0].text ?? '').length < 10_000, 'the trace text does not carry the giant line');
  });

  it('caps the frames kept for a runaway recursion', () => {
    const lines = ['Traceback (most recent call last):'];
    for (let i = 0; i < 5000; i++) lines.push(`  File "/app/r.py", line ${i + 1}, in f`, '    return f()');
    lines.push('RecursionError: maximum recursion depth exceeded');
    const [r] = scanText(lines.join('\n'));
    assert.ok(r.frames.length <= 256);
    assert.equal(r.frames[0].line, 5000, 'the innermost frames are the ones kept');
  });
});
