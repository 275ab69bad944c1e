import { strict as assert } from 'node:assert';
import { Event } from '../../../src/core/common/event';
import { Emitter } from '../../../src/core/lifecycle';
import { abortableDelay } from '../../../src/core/common/abortableDelay';
import { testLogger } from '../../support/testLogger';

describe('Event combinators and the Emitter', () => {
  it('once delivers the first event only and unsubscribes', () => {
    const em = new Emitter<number>();
    const seen: number[] = [];
    Event.once(em.event)((n) => seen.push(n));
    em.fire(1);
    em.fire(2);
    assert.deepEqual(seen, [1]);
  });

  it('filter and map compose', () => {
    const em = new Emitter<number>();
    const seen: string[] = [];
    const sub = Event.map(Event.filter(em.event, (n) => n % 2 === 0), (n) => `#${n}`)((s) => seen.push(s));
    for (const n of [1, 2, 3, 4]) em.fire(n);
    void sub.dispose();
    em.fire(6);
    assert.deepEqual(seen, ['#2', '#4']);
  });

  it('debounce fires once after a quiet period with the merged events', async () => {
    const em = new Emitter<number>();
    const seen: number[][] = [];
    Event.debounce<number, number[]>(em.event, 20, (acc, n) => [...(acc ?? []), n])((batch) => seen.push(batch));
    em.fire(1);
    em.fire(2);
    em.fire(3);
    await abortableDelay(80);
    assert.deepEqual(seen, [[1, 2, 3]]);
  });

  it('toPromise resolves with the next event and rejects when aborted first', async () => {
    const em = new Emitter<string>();
    const next = Event.toPromise(em.event);
    em.fire('a');
    assert.equal(await next, 'a');
    const ac = new AbortController();
    const never = Event.toPromise(em.event, ac.signal);
    ac.abort(new Error('gave up'));
    await assert.rejects(never, /gave up/);
  });

  it('reports a failing listener to its logger and still delivers to the others', () => {
    const logger = testLogger();
    const em = new Emitter<number>({ logger, name: 'test events' });
    const seen: number[] = [];
    em.event(() => {
      throw new Error('broken consumer');
    });
    em.event((n) => seen.push(n));
    em.fire(7);
    assert.deepEqual(seen, [7]);
    assert.equal(logger.lines.length, 1);
    assert.equal(logger.lines[0].level, 'error');
    assert.match(logger.lines[0].message, /a listener of test events failed/);
    assert.match(String(logger.lines[0].err), /broken consumer/);
  });
});
