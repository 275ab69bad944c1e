/** The webview model: snapshots replace everything, deltas update it, lists stay bounded. */
import assert from 'node:assert/strict';
import { Store, VIEW_LIMITS, isHostMessage } from '../../webview/store';
import type { HostMessage } from '../../src/protocol/messages';
import { sampleCrash, sampleFixes, sampleLedger, sampleLogs, samplePatch } from './sampleIncident';

const snapshot = (): HostMessage => ({
  type: 'state/snapshot',
  snapshot: {
    state: 'RUNNING', timeline: [{ state: 'RUNNING', at: 1 }], logs: sampleLogs(10), crash: null, activity: [], ledger: [],
    patch: null, fixes: [], autoHealPaused: false, workspaceName: 'w', proxyUrl: null, engine: 'Docker (local)', costUsd: 0.5,
  },
});

describe('webview store', () => {
  it('a snapshot replaces logs and view; deltas then update them', () => {
    const s = new Store(1000);
    s.apply({ type: 'logs/didAppend', lines: sampleLogs(30) });
    s.apply(snapshot());
    assert.equal(s.logs.length, 15); // 9 lines + 6 trace lines of sampleLogs(10)
    assert.equal(s.current.synced, true);
    s.apply({ type: 'state/didChange', state: 'CRASHED', at: 2, reason: 'ZeroDivisionError' });
    s.apply({ type: 'crash/didDetect', crash: sampleCrash() });
    s.apply({ type: 'ledger/didRecord', record: sampleLedger[0] });
    s.apply({ type: 'patch/didPropose', patch: samplePatch() });
    assert.equal(s.current.state, 'CRASHED');
    assert.deepEqual(s.current.timeline.map((t) => t.state), ['RUNNING', 'CRASHED']);
    assert.equal(s.current.crash?.crash.type, 'ZeroDivisionError');
    assert.equal(s.current.costUsd, 0.5 + 0.0012);
    s.apply({ type: 'patch/didClear' });
    s.apply({ type: 'crash/didClear' });
    assert.equal(s.current.patch, null);
    assert.equal(s.current.crash, null);
  });

  it('shows the engine of the snapshot, then the one a redeploy names; a non-string engine is ignored', () => {
    const s = new Store(10);
    s.apply(snapshot());
    assert.equal(s.current.engine, 'Docker (local)');
    s.apply({ type: 'engine/didChange', engine: 'Docker tcp://10.0.0.5:2376 (TLS, context build-box)' });
    assert.equal(s.current.engine, 'Docker tcp://10.0.0.5:2376 (TLS, context build-box)');
    assert.equal(isHostMessage({ type: 'engine/didChange', engine: 'Kubernetes kind-dev · autodev' }), true);
    s.apply({ type: 'engine/didChange', engine: { label: '<img src=x>' } } as never);
    assert.equal(s.current.engine, null);
  });

  it('updates a fix in place by id and appends new ones', () => {
    const s = new Store(10);
    const [a, b] = sampleFixes();
    s.apply({ type: 'fix/didUpdate', fix: { ...a, status: 'applied' } });
    s.apply({ type: 'fix/didUpdate', fix: b });
    s.apply({ type: 'fix/didUpdate', fix: a });
    assert.deepEqual(s.current.fixes.map((f) => [f.id, f.status]), [[a.id, 'committed'], [b.id, 'rejected']]);
  });

  it('bounds the activity list', () => {
    const s = new Store(10);
    for (let i = 0; i < VIEW_LIMITS.activity + 20; i++) {
      s.apply({ type: 'agent/didAct', activity: { attempt: 1, tool: 'read_file', args: {}, ok: true, result: String(i), at: i } });
    }
    assert.equal(s.current.activity.length, VIEW_LIMITS.activity);
    assert.equal(s.current.activity[0].result, '20');
  });

  it('recognises host messages and rejects anything else', () => {
    assert.equal(isHostMessage({ type: 'logs/didAppend', lines: [] }), true);
    assert.equal(isHostMessage({ type: 'logs/didAppend', lines: 'x' }), false);
    assert.equal(isHostMessage({ type: 'ready' }), false);
    assert.equal(isHostMessage('state/snapshot'), false);
    assert.equal(isHostMessage({ type: 'state/snapshot' }), false);
  });

  it('notifies log listeners on append and view listeners on view changes only', () => {
    const s = new Store(10);
    let logs = 0;
    let views = 0;
    s.onLogs(() => logs++);
    s.onView(() => views++);
    s.apply({ type: 'logs/didAppend', lines: sampleLogs(5) });
    s.apply({ type: 'autoHeal/didChange', paused: true });
    assert.deepEqual([logs, views], [1, 1]);
    assert.equal(s.current.autoHealPaused, true);
  });
});
