/** Mission Control in headless Chromium: the real bundle, the real CSP page, a stand-in host. */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { openHarness, type Harness } from './harness';
import { MissionControlFeed } from '../../src/vscode/missionControlFeed';
import type { HostMessage, WebviewMessage } from '../../src/protocol/messages';
import { T0, sampleCrash, sampleCrashReport, samplePatch } from './sampleIncident';
import { incidentSnapshot } from '../support/incidentSnapshot';

const emptySnapshot = (): HostMessage => ({ type: 'state/snapshot', snapshot: incidentSnapshot({ state: 'RUNNING', timeline: [], logs: [], crash: null, activity: [], ledger: [], patch: null, fixes: [], costUsd: 0 }) });

/** Texts of the log rows currently in the DOM, top to bottom as laid out. */
async function visibleRowTexts(h: Harness): Promise<string[]> {
  return h.page.evaluate(() => {
    const scroller = document.querySelector('.log-scroller')!;
    const box = scroller.getBoundingClientRect();
    return [...document.querySelectorAll('.log-row')]
      .filter((r) => {
        const b = r.getBoundingClientRect();
        return b.bottom > box.top + 1 && b.top < box.bottom - 1;
      })
      .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
      .map((r) => r.querySelector('.log-text')!.textContent ?? '');
  });
}

const text = (h: Harness, sel: string) => h.page.locator(sel).first().innerText();

describe('mission control webview (headless Chromium)', function () {
  this.timeout(120_000);
  let h: Harness;
  const dialogs: string[] = [];

  before(async () => {
    h = await openHarness();
    h.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });
  after(async () => h?.close());
  beforeEach(async () => {
    await h.reload({ clearState: true });
  });
  afterEach(async () => {
    assert.deepEqual(h.pageErrors, [], 'no uncaught errors in the page');
    assert.deepEqual(await h.cspViolations(), [], 'nothing violated the CSP');
  });

  it('posts ready before anything else, once', async () => {
    const posted = await h.posted();
    assert.deepEqual(posted, [{ type: 'ready' }]);
  });

  it('renders a full snapshot: state, timeline, log, crash, patch with verification, agent, ledger, history', async () => {
    await h.send({ type: 'state/snapshot', snapshot: incidentSnapshot() });
    await h.settle();
    assert.equal(await text(h, '.state-name'), 'REVIEW');
    assert.equal(await h.page.locator('.tl-item').count(), 6);
    assert.equal(await text(h, '.crash-type'), 'ZeroDivisionError');
    assert.match(await text(h, '.patch-summary'), /Return 0\.0 for an empty list/);
    assert.match(await text(h, '.verification'), /VERIFIED[\s\S]*GET \/stats[\s\S]*500[\s\S]*200/);
    assert.equal(await h.page.locator('.diff-line.d-add').count(), 3);
    assert.equal(await h.page.locator('.activity-list li').count(), 4);
    assert.match(await text(h, '.ledger-panel'), /openai\/gpt-4\.1-mini/);
    assert.equal(await h.page.locator('.history tbody tr').count(), 3);
    assert.equal(await text(h, '.mttr-overall'), '3.7 s');
    assert.equal(await text(h, '.total-cost'), '$0.0012');
    assert.equal(await text(h, '.meta.engine'), 'engine Docker (local)');
    await h.send({ type: 'engine/didChange', engine: 'Docker tcp://127.0.0.1:23750 (DOCKER_HOST)' });
    await h.settle();
    assert.equal(await text(h, '.meta.engine b'), 'Docker tcp://127.0.0.1:23750 (DOCKER_HOST)');
    const rows = await visibleRowTexts(h);
    assert.equal(rows[rows.length - 1], 'ZeroDivisionError: division by zero');
  });

  it('shows the redactions and files of what was sent to the model', async () => {
    await h.send({ type: 'state/snapshot', snapshot: incidentSnapshot() });
    await h.settle();
    await h.page.click('.ledger-list summary');
    const body = await text(h, '.ledger-body');
    assert.match(body, /stats\.py:1-28/);
    assert.match(body, /api-key×1/);
    assert.match(body, /email×2/);
    assert.match(body, /log lines: 40/);
  });

  it('renders 100k lines with a small DOM, follows to the last line, and pauses when scrolled up', async () => {
    await h.send(emptySnapshot());
    await h.streamLines(100_000, { prefix: 'line' });
    await h.settle();
    assert.match(await text(h, '.log-count'), /^100,000 lines/);
    const domRows = await h.page.locator('.log-row').count();
    assert.ok(domRows > 10 && domRows < 200, `only visible rows are in the DOM (got ${domRows})`);
    let rows = await visibleRowTexts(h);
    assert.match(rows[rows.length - 1], /^line 100000 /, 'follows the end');

    // Scroll up to the top: auto-follow stops, new lines do not move the view.
    await h.page.locator('.log-scroller').evaluate((el) => (el.scrollTop = 0));
    await h.settle();
    rows = await visibleRowTexts(h);
    assert.match(rows[0], /^line 1 /);
    assert.equal(await text(h, '.follow-state'), '❚❚ PAUSED');
    await h.streamLines(1000, { startSeq: 100_001 });
    await h.settle();
    rows = await visibleRowTexts(h);
    assert.match(rows[0], /^line 1 /, 'the paused view stays put while lines arrive');
    assert.match(await text(h, '.log-count'), /^101,000 lines/);

    // Jump to live resumes following.
    await h.page.click('.jump-live');
    await h.settle();
    rows = await visibleRowTexts(h);
    assert.match(rows[rows.length - 1], /^line 101000 /);
    assert.equal(await h.page.locator('.jump-live').count(), 0);
    await h.streamLines(10, { startSeq: 101_001 });
    await h.settle();
    rows = await visibleRowTexts(h);
    assert.match(rows[rows.length - 1], /^line 101010 /, 'follows again');
  });

  it('a new snapshot resumes following even when the user had paused', async () => {
    await h.send(emptySnapshot());
    await h.streamLines(5000);
    await h.settle();
    await h.page.locator('.log-scroller').evaluate((el) => (el.scrollTop = 0));
    await h.settle();
    assert.equal(await text(h, '.follow-state'), '❚❚ PAUSED');
    await h.send({ type: 'state/snapshot', snapshot: incidentSnapshot() });
    await h.settle();
    assert.equal(await text(h, '.follow-state'), '● LIVE');
    const rows = await visibleRowTexts(h);
    assert.equal(rows[rows.length - 1], 'ZeroDivisionError: division by zero');
  });

  it('scrolling to the middle shows the lines of that position', async () => {
    await h.send(emptySnapshot());
    await h.streamLines(100_000);
    await h.settle();
    await h.page.locator('.log-scroller').evaluate((el) => (el.scrollTop = 50_000 * 18));
    await h.settle();
    const rows = await visibleRowTexts(h);
    assert.match(rows[0], /^line 50001 /);
  });

  it('shows a crash card at once and opens the user frame on click', async () => {
    await h.send(emptySnapshot(), { type: 'crash/didDetect', crash: sampleCrash() });
    await h.settle();
    assert.equal(await text(h, '.crash-type'), 'ZeroDivisionError');
    assert.equal(await text(h, '.crash-message'), 'division by zero');
    assert.match(await text(h, '.crash-frame'), /stats\.py:14/);
    assert.match(await text(h, '.crash-occurrences'), /×3/);
    await h.page.click('.crash-frame');
    const posted = await h.posted();
    assert.deepEqual(posted[posted.length - 1], { type: 'file/open', file: 'stats.py', line: 14 });
  });

  it('offers "Raise limit and restart" and "Ask the model anyway" for a memory kill', async () => {
    const oom = sampleCrash({ resourceKill: { memoryLimitMb: 256 } });
    oom.crash = { ...oom.crash, language: 'process', type: 'OOMKilled', message: 'exit 137', frames: [], userFrame: null };
    await h.send(emptySnapshot(), { type: 'crash/didDetect', crash: oom });
    await h.settle();
    assert.match(await text(h, '.resource-kill-box'), /limit 256 MB/);
    await h.page.getByRole('button', { name: 'Raise limit and restart' }).click();
    await h.page.getByRole('button', { name: 'Ask the model anyway' }).click();
    const posted = (await h.posted()).slice(-2);
    assert.deepEqual(posted, [{ type: 'memory/raiseLimit' }, { type: 'crash/askModel' }]);
  });

  it('Accept and Reject post the patch id; they are disabled outside REVIEW', async () => {
    await h.send({ type: 'state/snapshot', snapshot: incidentSnapshot() });
    await h.settle();
    await h.page.click('.btn.accept');
    await h.page.click('.btn.reject');
    const posted = (await h.posted()).slice(-2);
    assert.deepEqual(posted, [{ type: 'fix/accept', patchId: 'patch-1' }, { type: 'fix/reject', patchId: 'patch-1' }]);
    await h.send({ type: 'state/didChange', state: 'HEALED', at: T0 + 20_000 });
    await h.settle();
    assert.equal(await h.page.locator('.btn.accept').isDisabled(), true);
    assert.equal(await text(h, '.state-name'), 'HEALED');
  });

  it('keeps an HTML injection in a log line, crash message and diff as text', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const crash = sampleCrash();
    crash.crash = { ...crash.crash, message: evil };
    const patch = samplePatch('p-evil');
    patch.patch = { ...patch.patch, summary: evil, diff: `+${evil}` };
    await h.send(
      emptySnapshot(),
      { type: 'logs/didAppend', lines: [{ seq: 1, stream: 'stdout', text: evil, time: T0 }, { seq: 2, stream: 'stderr', text: `\x1b[31m${evil}\x1b[0m`, time: T0 }] },
      { type: 'crash/didDetect', crash },
      { type: 'patch/didPropose', patch },
    );
    await h.settle();
    assert.equal(await h.page.locator('img').count(), 0, 'no element was created from log text');
    const rows = await visibleRowTexts(h);
    assert.deepEqual(rows, [evil, evil]);
    assert.equal(await text(h, '.crash-message'), evil);
    assert.equal(await text(h, '.patch-summary'), evil);
    assert.ok(await h.page.getByText(evil).first().isVisible());
    assert.deepEqual(dialogs, []);
  });

  it('turns ANSI colours into styled spans and marks stderr lines', async () => {
    await h.send(emptySnapshot(), {
      type: 'logs/didAppend',
      lines: [
        { seq: 1, stream: 'stdout', text: '\x1b[31mred\x1b[0m and \x1b[1;32mbold green\x1b[0m \x1b[38;2;1;2;3mtrue\x1b[0m', time: T0 },
        { seq: 2, stream: 'stderr', text: 'oops', time: T0 },
      ],
    });
    await h.settle();
    const red = h.page.locator('.log-row .a-fg-1');
    assert.equal(await red.innerText(), 'red');
    assert.equal(await red.evaluate((el) => getComputedStyle(el).color), 'rgb(255, 59, 92)');
    const bold = h.page.locator('.log-row .a-bold.a-fg-2');
    assert.equal(await bold.innerText(), 'bold green');
    assert.equal(await bold.evaluate((el) => getComputedStyle(el).fontWeight), '700');
    assert.equal(await h.page.locator('.log-row span[style]').evaluate((el) => (el as HTMLElement).style.color), 'rgb(1, 2, 3)');
    assert.equal(await text(h, '.log-row:first-child .log-text'), 'red and bold green true');
    const borders = await h.page.locator('.log-row').evaluateAll((els) => els.map((e) => getComputedStyle(e).borderLeftColor));
    assert.notEqual(borders[0], borders[1], 'stderr is marked differently from stdout');
    assert.equal(await h.page.locator('.log-row.s-stderr').count(), 1);
  });

  it('filters by text (case-insensitive, highlighted) and by stream, and remembers the filter across reloads', async () => {
    await h.send(emptySnapshot());
    const lines = Array.from({ length: 2000 }, (_, i) => ({
      seq: i + 1,
      stream: (i % 4 === 0 ? 'stderr' : 'stdout') as 'stderr' | 'stdout',
      text: i % 10 === 0 ? `ERROR code ${i}` : `info ${i}`,
      time: T0 + i,
    }));
    await h.send({ type: 'logs/didAppend', lines });
    await h.settle();
    await h.page.fill('.log-filter', 'error');
    await h.page.waitForFunction(() => /^200 \/ 2,000 lines/.test(document.querySelector('.log-count')?.textContent ?? ''));
    await h.settle();
    const rows = await visibleRowTexts(h);
    assert.ok(rows.length > 5 && rows.every((r) => r.startsWith('ERROR code ')), rows.join('|'));
    assert.equal(await h.page.locator('mark.log-match').first().innerText(), 'ERROR');

    await h.page.click('.stream-toggle.s-stdout');
    await h.page.waitForFunction(() => /^100 \/ 2,000 lines/.test(document.querySelector('.log-count')?.textContent ?? ''));
    const state = await h.page.evaluate(() => sessionStorage.getItem('vscode-state') ?? '');
    assert.ok(state.length < 300, `setState holds only UI preferences (${state.length} chars)`);
    assert.doesNotMatch(state, /ERROR code/);

    await h.reload();
    await h.send({ type: 'state/snapshot', snapshot: incidentSnapshot({ logs: lines.slice(0, 100) }) });
    await h.settle();
    assert.equal(await h.page.inputValue('.log-filter'), 'error');
    assert.match(await text(h, '.log-count'), /^5 \/ 100 lines/);
  });

  it('sends the manual overrides', async () => {
    await h.send(emptySnapshot());
    await h.settle();
    for (const action of ['deploy', 'stop', 'restart', 'fix-now', 'pause-auto-heal']) await h.page.click(`[data-action="${action}"]`);
    await h.send({ type: 'autoHeal/didChange', paused: true });
    await h.settle();
    await h.page.click('[data-action="pause-auto-heal"]');
    const posted = (await h.posted()).slice(1);
    const expected: WebviewMessage[] = [
      { type: 'deploy' }, { type: 'stop' }, { type: 'restart' }, { type: 'fix/now' },
      { type: 'autoHeal/setPaused', paused: true }, { type: 'autoHeal/setPaused', paused: false },
    ];
    assert.deepEqual(posted, expected);
  });

  it('ignores messages that are not host messages', async () => {
    await h.send(emptySnapshot());
    await h.page.evaluate(() => {
      window.postMessage({ type: 'logs/didAppend', lines: 'nope' }, '*');
      window.postMessage({ type: 'evil/do' }, '*');
      window.postMessage('just a string', '*');
    });
    await h.settle();
    assert.equal(await text(h, '.state-name'), 'RUNNING');
    assert.match(await text(h, '.log-count'), /^0 lines/);
  });
});

describe('mission control with the real host feed', function () {
  this.timeout(120_000);
  let h: Harness;
  const feed = new MissionControlFeed({ workspaceName: 'flask-demo' });
  const received: WebviewMessage[] = [];

  before(async () => {
    h = await openHarness({ feed, onMessage: (m) => received.push(m) });
  });
  after(async () => {
    feed.dispose();
    await h?.close();
  });

  it('streams batched lines and shows a crash; a reload restores everything from the host', async () => {
    assert.equal(received[0]?.type, 'ready');
    feed.handle({ kind: 'state', state: 'DEPLOYING', previous: 'IDLE', trigger: 'deployRequested', deploymentId: 1, at: T0 - 2000 });
    feed.handle({ kind: 'state', state: 'RUNNING', previous: 'DEPLOYING', trigger: 'appStarted', deploymentId: 1, at: T0 });
    for (let i = 1; i <= 3000; i++) feed.handle({ kind: 'log', line: { seq: i, stream: 'stdout', text: `served request ${i}`, time: T0 + i } });
    feed.handle({ kind: 'state', state: 'CRASHED', previous: 'RUNNING', trigger: 'crashDetected', deploymentId: 1, at: T0 + 4200 });
    feed.handle({ kind: 'crash', crash: sampleCrashReport(), occurrences: 1, at: T0 + 4200 });
    await h.page.waitForSelector('.crash-card:not(.empty)');
    await h.settle();
    assert.equal(await text(h, '.state-name'), 'CRASHED');
    assert.match(await text(h, '.log-count'), /^3,000 lines/, 'the lines before the crash arrived before the card');

    await h.reload();
    await h.page.waitForFunction(() => document.querySelector('.crash-type')?.textContent === 'ZeroDivisionError');
    await h.settle();
    assert.equal(await text(h, '.state-name'), 'CRASHED');
    assert.equal(await h.page.locator('.tl-item').count(), 3);
    assert.match(await text(h, '.log-count'), /^3,000 lines/);
    const rows = await visibleRowTexts(h);
    assert.equal(rows[rows.length - 1], 'served request 3000');
    assert.ok(received.filter((m) => m.type === 'ready').length >= 2);
  });
});
