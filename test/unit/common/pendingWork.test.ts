import { strict as assert } from 'node:assert';
import { PendingWork } from '../../../src/core/lifecycle';

describe('PendingWork', () => {
  it('settles once nothing is in flight, including work added while it waits, whatever each piece ends with', async () => {
    const work = new PendingWork();
    const order: string[] = [];
    let release!: () => void;
    const first = work.track(new Promise<void>((r) => (release = r)).then(() => order.push('first')));
    const failing = work.track(Promise.reject(new Error('a failed teardown')));
    await assert.rejects(failing, /a failed teardown/, 'track returns the promise itself');
    const settled = work.settled().then(() => order.push('settled'));
    // Added while settled() waits: it is waited for too.
    setTimeout(() => {
      work.track(new Promise((r) => setTimeout(r, 20)).then(() => order.push('late')));
      release();
    }, 10);
    await settled;
    await first;
    assert.deepEqual(order, ['first', 'late', 'settled']);
    await work.settled(); // nothing left: at once
  });
});
