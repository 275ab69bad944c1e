/** The webview's ring buffer and the filter index over it. */
import assert from 'node:assert/strict';
import { LogBuffer } from '../../webview/logBuffer';
import { ALL_STREAMS, LogIndex } from '../../webview/logIndex';

const fill = (b: LogBuffer, from: number, to: number, text = (i: number) => `line ${i}`) => {
  for (let i = from; i <= to; i++) b.push(text(i), i % 5 === 0 ? 'stderr' : 'stdout', i, 1000 + i);
};

describe('log buffer', () => {
  it('keeps every line below the cap, in order', () => {
    const b = new LogBuffer(10_000);
    fill(b, 1, 5000);
    assert.equal(b.length, 5000);
    assert.equal(b.get(b.start).text, 'line 1');
    assert.equal(b.get(b.end - 1).text, 'line 5000');
    assert.equal(b.get(4).stream, 'stderr');
  });

  it('drops the oldest lines past the cap and keeps absolute indices stable', () => {
    const b = new LogBuffer(3000);
    fill(b, 1, 7000);
    assert.equal(b.length, 3000);
    assert.equal(b.dropped, 4000);
    assert.equal(b.get(b.start).seq, 4001);
    assert.equal(b.get(6999).text, 'line 7000');
    assert.throws(() => b.get(10), /not held/);
  });

  it('clear() empties it and changes the generation', () => {
    const b = new LogBuffer(100);
    fill(b, 1, 50);
    const g = b.generation;
    b.clear();
    assert.equal(b.length, 0);
    assert.notEqual(b.generation, g);
  });
});

describe('log index (filter)', () => {
  it('maps rows 1:1 without a filter', () => {
    const b = new LogBuffer(100);
    fill(b, 1, 10);
    const ix = new LogIndex(b);
    ix.setFilter({ query: '', streams: ALL_STREAMS });
    assert.equal(ix.count, 10);
    assert.equal(b.get(ix.rowAt(3)).text, 'line 4');
  });

  it('matches case-insensitively, ignores ANSI codes, treats the query as text, and scans only new lines', () => {
    const b = new LogBuffer(1000);
    fill(b, 1, 100, (i) => (i % 10 === 0 ? `\x1b[31mERR\x1b[0mOR [${i}]` : `ok ${i}`));
    const ix = new LogIndex(b);
    ix.setFilter({ query: 'error [', streams: ALL_STREAMS });
    assert.equal(ix.count, 10);
    fill(b, 101, 110, (i) => `Error [${i}]`);
    ix.sync();
    assert.equal(ix.count, 20);
    assert.equal(b.get(ix.rowAt(19)).text, 'Error [110]');
  });

  it('filters by stream and forgets matches dropped by the cap', () => {
    const b = new LogBuffer(50);
    fill(b, 1, 100);
    const ix = new LogIndex(b);
    ix.setFilter({ query: '', streams: { stdout: false, stderr: true, system: true } });
    assert.equal(ix.count, 10); // 55..100 step 5
    fill(b, 101, 150);
    ix.sync();
    assert.equal(ix.count, 10);
    assert.equal(b.get(ix.rowAt(0)).seq, 105);
    assert.equal(ix.rowOf(107), 1);
  });
});
