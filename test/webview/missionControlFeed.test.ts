/** The host side of Mission Control: batching, ordering, bounded snapshots, resync after a dropped message. */
import assert from 'node:assert/strict';
import { MissionControlFeed, type FeedTimers } from '../../src/vscode/missionControlFeed';
import { createNonce, missionControlHtml } from '../../src/vscode/missionControlHtml';
import type { HealEvent } from '../../src/core/heal/healEvents';
import type { HostMessage } from '../../src/protocol/messages';
import { sampleCrash, sampleCrashReport, samplePatch, samplePendingPatch, sampleFixes } from './sampleIncident';
import { Store } from '../../webview/store';

/** Manual clock: timers fire only when the test says so. */
class ManualTimers implements FeedTimers {
  private next = 1;
  readonly pending = new Map<number, () => void>();
  setTimeout(fn: () => void): unknown {
    const id = this.next++;
    this.pending.set(id, fn);
    return id;
  }
  clearTimeout(h: unknown): void {
    this.pending.delete(h as number);
  }
  fireAll(): void {
    for (const [id, fn] of [...this.pending]) {
      this.pending.delete(id);
      fn();
    }
  }
}

const log = (seq: number, text = `line ${seq}`): HealEvent => ({ kind: 'log', line: { seq, stream: 'stdout', text, time: 1000 + seq } });

function setup(opts: { logTail?: number } = {}) {
  const timers = new ManualTimers();
  const feed = new MissionControlFeed({ timers, logTail: opts.logTail });
  const sent: HostMessage[] = [];
  feed.attach((m) => {
    sent.push(m);
    return true;
  });
  sent.length = 0; // drop the initial snapshot
  return { feed, timers, sent };
}

describe('mission control feed', () => {
  it('sends the engine at once and keeps it in the snapshot', () => {
    const { feed, sent } = setup();
    feed.handle({ kind: 'engine', engine: { kind: 'kubernetes', label: 'Kubernetes kind-dev · autodev', remote: true } });
    assert.deepEqual(sent, [{ type: 'engine/didChange', engine: 'Kubernetes kind-dev · autodev' }]);
    const again: HostMessage[] = [];
    feed.attach((m) => (again.push(m), true));
    assert.equal(again[0].type === 'state/snapshot' && again[0].snapshot.engine, 'Kubernetes kind-dev · autodev');
  });

  it('sends a full snapshot on attach', () => {
    const feed = new MissionControlFeed({ workspaceName: 'demo' });
    feed.handle(log(1));
    const sent: HostMessage[] = [];
    feed.attach((m) => (sent.push(m), true));
    assert.equal(sent.length, 1);
    assert.equal(sent[0].type, 'state/snapshot');
    const snap = (sent[0] as Extract<HostMessage, { type: 'state/snapshot' }>).snapshot;
    assert.equal(snap.workspaceName, 'demo');
    assert.deepEqual(snap.logs.map((l) => l.text), ['line 1']);
    feed.dispose();
  });

  it('batches log lines until the timer fires', () => {
    const { feed, timers, sent } = setup();
    for (let i = 1; i <= 10; i++) feed.handle(log(i));
    assert.equal(sent.length, 0);
    assert.equal(timers.pending.size, 1, 'one timer for the whole batch');
    timers.fireAll();
    assert.equal(sent.length, 1);
    assert.equal(sent[0].type, 'logs/didAppend');
    assert.equal((sent[0] as Extract<HostMessage, { type: 'logs/didAppend' }>).lines.length, 10);
  });

  it('flushes at once when 500 lines are pending', () => {
    const { feed, timers, sent } = setup();
    for (let i = 1; i <= 1200; i++) feed.handle(log(i));
    assert.deepEqual(sent.map((m) => (m.type === 'logs/didAppend' ? m.lines.length : m.type)), [500, 500]);
    timers.fireAll();
    assert.equal((sent[2] as Extract<HostMessage, { type: 'logs/didAppend' }>).lines.length, 200);
  });

  it('sends pending lines before a state change or crash, then the event at once', () => {
    const { feed, sent } = setup();
    feed.handle(log(1));
    feed.handle({ kind: 'state', state: 'CRASHED', previous: 'RUNNING', trigger: 'crashDetected', deploymentId: 1, at: 5 });
    feed.handle(log(2));
    feed.handle({ kind: 'crash', crash: sampleCrashReport(), occurrences: 1, at: 6 });
    feed.handle({ kind: 'patch', patch: samplePendingPatch(), verification: samplePatch().verification });
    assert.deepEqual(sent.map((m) => m.type), ['logs/didAppend', 'state/didChange', 'logs/didAppend', 'crash/didDetect', 'patch/didPropose']);
  });

  it('shows a crash announced early at once, counting a repeat of the card it replaces; the final crash event has the last word', () => {
    const { feed, sent } = setup();
    const first = sampleCrashReport();
    feed.handle({ kind: 'crashSeen', crash: first, at: 5 });
    assert.deepEqual(feed.snapshot().crash, { crash: first, occurrences: 1, at: 5 });
    feed.handle({ kind: 'crash', crash: first, occurrences: 1, at: 6 });
    feed.handle({ kind: 'crashSeen', crash: first, at: 7 });
    assert.equal(feed.snapshot().crash?.occurrences, 2, 'the same crash again: the card counts it');
    const grown = { ...first, type: 'ValueError', signature: 'ValueError|f|app.py' };
    feed.handle({ kind: 'crashSeen', crash: grown, at: 8 });
    assert.equal(feed.snapshot().crash?.occurrences, 1, 'another crash: a new count');
    feed.handle({ kind: 'crash', crash: first, occurrences: 3, at: 9 });
    assert.deepEqual(feed.snapshot().crash, { crash: first, occurrences: 3, at: 9, resourceKill: undefined });
    assert.deepEqual(sent.map((m) => m.type), Array(5).fill('crash/didDetect'));
  });

  it('keeps a bounded tail of lines for snapshots, the newest ones', () => {
    const { feed } = setup({ logTail: 100 });
    for (let i = 1; i <= 1000; i++) feed.handle(log(i));
    const snap = feed.snapshot();
    assert.equal(snap.logs.length, 100);
    assert.equal(snap.logs[0].seq, 901);
    assert.equal(snap.logs[99].seq, 1000);
  });

  it('records timeline, activity, ledger cost and fix updates in the snapshot', () => {
    const { feed } = setup();
    feed.handle({ kind: 'state', state: 'DEPLOYING', previous: 'IDLE', trigger: 'deployRequested', deploymentId: 1, at: 1 });
    feed.handle({ kind: 'state', state: 'RUNNING', previous: 'DEPLOYING', trigger: 'appStarted', deploymentId: 1, at: 2 });
    feed.handle({ kind: 'agent/tool', activity: { attempt: 1, tool: 'read_file', args: { path: 'a.py' }, ok: true, result: 'ok', at: 3 } });
    const record = { id: 'r1', attempt: 1, provider: 'openai', model: 'm', files: [], logLines: 3, redactions: {}, tokens: { prompt: 10, completion: 2 }, costUsd: 0.25, at: 4 };
    feed.handle({ kind: 'model/request', record });
    feed.handle({ kind: 'model/request', record: { ...record, id: 'r2', costUsd: 0.5 } });
    const [fix] = sampleFixes();
    feed.handle({ kind: 'fix', fix: { ...fix, status: 'applied' } });
    feed.handle({ kind: 'fix', fix });
    const snap = feed.snapshot();
    assert.deepEqual(snap.timeline.map((t) => t.state), ['DEPLOYING', 'RUNNING']);
    assert.equal(snap.state, 'RUNNING');
    assert.equal(snap.activity.length, 1);
    assert.equal(snap.costUsd, 0.75);
    assert.equal(snap.fixes.length, 1);
    assert.equal(snap.fixes[0].status, 'committed');
  });

  it('clears the patch when its fix is rejected, and crash + patch on a fresh deploy', () => {
    const { feed, sent } = setup();
    feed.handle({ kind: 'crash', crash: sampleCrashReport(), occurrences: 1, at: 6 });
    feed.handle({ kind: 'patch', patch: samplePendingPatch('p9'), verification: samplePatch().verification });
    feed.handle({ kind: 'fix', fix: { ...sampleFixes()[2], id: 'p9', status: 'rejected' } });
    assert.equal(feed.snapshot().patch, null);
    assert.equal(sent[sent.length - 1].type, 'patch/didClear');
    feed.handle({ kind: 'patch', patch: samplePendingPatch('p10'), verification: samplePatch().verification });
    sent.length = 0;
    feed.handle({ kind: 'state', state: 'DEPLOYING', previous: 'FAILED', trigger: 'deployRequested', deploymentId: 1, at: 9 });
    assert.equal(feed.snapshot().crash, null);
    assert.equal(feed.snapshot().patch, null);
    assert.deepEqual(sent.map((m) => m.type), ['state/didChange', 'crash/didClear', 'patch/didClear']);
  });

  it('holds the same state as a webview store fed its messages (one reducer), and a re-attach changes nothing', () => {
    const feed = new MissionControlFeed({ timers: new ManualTimers(), workspaceName: 'demo', maxActivity: 2 });
    const store = new Store();
    feed.attach((m) => (store.apply(m), true));
    feed.handle({ kind: 'state', state: 'DEPLOYING', previous: 'IDLE', trigger: 'deployRequested', deploymentId: 1, at: 1 });
    feed.handle({ kind: 'engine', engine: { kind: 'docker', label: 'Docker (local)', remote: false } });
    feed.handle({ kind: 'proxy', url: 'http://127.0.0.1:4000', containerPort: 5000 });
    feed.handle({ kind: 'state', state: 'RUNNING', previous: 'DEPLOYING', trigger: 'appStarted', deploymentId: 1, at: 2 });
    feed.handle({ kind: 'crash', crash: sampleCrashReport(), occurrences: 2, at: 3 });
    for (let i = 0; i < 3; i++) feed.handle({ kind: 'agent/tool', activity: { attempt: 1, tool: 'read_file', args: { path: `f${i}.py` }, ok: true, result: 'ok', at: 4 + i } });
    const record = { id: 'r1', attempt: 1, provider: 'openai', model: 'm', files: [], logLines: 3, redactions: {}, tokens: { prompt: 10, completion: 2 }, costUsd: 0.25, at: 8 };
    feed.handle({ kind: 'model/request', record });
    feed.handle({ kind: 'patch', patch: samplePendingPatch('p1'), verification: samplePatch().verification });
    feed.handle({ kind: 'fix', fix: { ...sampleFixes()[2], id: 'p1', status: 'rejected' } });
    feed.handle({ kind: 'patch', patch: samplePendingPatch('p2'), verification: samplePatch().verification });
    feed.setAutoHealPaused(true);
    const { logs: _logs, ...host } = feed.snapshot();
    const { synced, ...view } = store.current;
    assert.equal(synced, true);
    // The host keeps 2 activities, the webview (fed one at a time, its own cap 500) all 3: everything else agrees.
    assert.deepEqual(view.activity.map((a) => (a.args as { path: string }).path), ['f0.py', 'f1.py', 'f2.py']);
    assert.deepEqual({ ...view, activity: view.activity.slice(-2) }, host);
    assert.equal(host.patch?.patch.id, 'p2');
    assert.equal(host.costUsd, 0.25);
    feed.attach((m) => (store.apply(m), true));
    const { synced: _s, ...restored } = store.current;
    assert.deepEqual(restored, host);
  });

  it('puts build output and heal notes in the log as system lines', () => {
    const { feed, timers, sent } = setup();
    feed.handle({ kind: 'build', text: 'Step 1/4 : FROM python\nStep 2/4 : COPY . /app\n' });
    feed.handle({ kind: 'error', code: 'BuildFailed', message: 'pip failed' });
    timers.fireAll();
    const lines = (sent[0] as Extract<HostMessage, { type: 'logs/didAppend' }>).lines;
    assert.deepEqual(lines.map((l) => [l.stream, l.text]), [
      ['system', 'Step 1/4 : FROM python'],
      ['system', 'Step 2/4 : COPY . /app'],
      ['system', '[error] BuildFailed: pip failed'],
    ]);
  });

  it('stops sending deltas after a dropped message until the next attach sends a snapshot', async () => {
    const timers = new ManualTimers();
    const feed = new MissionControlFeed({ timers });
    const sent: HostMessage[] = [];
    let deliver = true;
    feed.attach(async (m) => {
      if (deliver) sent.push(m);
      return deliver;
    });
    deliver = false;
    feed.handle({ kind: 'state', state: 'RUNNING', previous: 'IDLE', trigger: 'appStarted', deploymentId: 1, at: 1 });
    await new Promise((r) => setImmediate(r));
    assert.equal(feed.attached, false);
    feed.handle(log(1));
    assert.equal(timers.pending.size, 0, 'nothing is batched for a detached webview');
    deliver = true;
    feed.attach((m) => (sent.push(m), true));
    const last = sent[sent.length - 1] as Extract<HostMessage, { type: 'state/snapshot' }>;
    assert.equal(last.type, 'state/snapshot');
    assert.equal(last.snapshot.state, 'RUNNING');
    assert.equal(last.snapshot.logs.length, 1);
  });

  it('dispose() cancels the flush timer', () => {
    const { feed, timers } = setup();
    feed.handle(log(1));
    assert.equal(timers.pending.size, 1);
    feed.dispose();
    assert.equal(timers.pending.size, 0);
  });
});

describe('mission control html', () => {
  it('has a strict CSP with the nonce on the only script and no inline handlers', () => {
    const nonce = createNonce();
    const html = missionControlHtml({ scriptUri: 'https://x/dist/webview.js', styleUri: 'https://x/media/missionControl.css', cspSource: 'https://x', nonce });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce.replace(/[+/]/g, '\\$&')}'`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.match(html, new RegExp(`<script nonce="${nonce.replace(/[+/]/g, '\\$&')}" src="https://x/dist/webview.js">`));
    assert.doesNotMatch(html, /\son[a-z]+=/i);
  });

  it('makes a fresh 128-bit nonce each time and refuses a weak one', () => {
    assert.notEqual(createNonce(), createNonce());
    assert.equal(Buffer.from(createNonce(), 'base64').length, 16);
    assert.throws(() => missionControlHtml({ scriptUri: 'a', styleUri: 'b', cspSource: 'c', nonce: 'abc' }), /nonce/);
    assert.throws(() => missionControlHtml({ scriptUri: 'a', styleUri: 'b', cspSource: "x; script-src 'unsafe-inline'", nonce: createNonce() }), /cspSource/);
  });
});
