/**
 * UI end-to-end in the real workbench: the packaged .vsix installed into code-server (VS Code 1.139), a temp copy of
 * examples/python-divide (git repo + local bare remote) opened in headless Chromium. Drives what a person does —
 * command palette, Mission Control, the diff editor's Accept, the Fixes sidebar's Push — and keeps a screenshot of
 * each state under test-results/workbench/.
 */
import * as assert from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import type { ExampleWorkspace, Server } from '../../scripts/e2e-workbench.mjs';

const root = path.resolve(__dirname, '../..');
const shots = path.join(root, 'test-results', 'workbench');
type Workbench = typeof import('../../scripts/e2e-workbench.mjs');
const workbench = (): Promise<Workbench> => import(path.join(root, 'scripts/e2e-workbench.mjs'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The Mission Control document: a frame nested in the webview iframe that has the state banner. */
async function missionControl(page: Page, timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      if (await f.locator('.state-name').count().catch(() => 0)) return f;
    }
    await sleep(200);
  }
  throw new Error('Mission Control did not appear');
}

/** Runs a command from the palette (F1). Retries while the workbench is still registering extension contributions. */
async function runCommand(page: Page, title: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const input = page.locator('.quick-input-widget input');
  for (;;) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    if (await row.waitFor({ timeout: 3000 }).then(() => true, () => false)) {
      await input.press('Enter');
      return;
    }
    await page.keyboard.press('Escape');
    if (Date.now() > deadline) throw new Error(`"${title}" never appeared in the command palette`);
    await sleep(1000);
  }
}

describe('Workbench UI end to end (code-server + Chromium, installed .vsix)', function () {
  this.timeout(8 * 60_000);
  let wb: Workbench;
  let vsix: string;
  let dataDir: string;
  let ws: ExampleWorkspace;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let shot = 0;
  const snap = async (name: string) => {
    await page.screenshot({ path: path.join(shots, `${String(++shot).padStart(2, '0')}-${name}.png`) });
  };
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
  // Each step needs the one before it: after a failure the rest are skipped (with the reason above) instead of piling up.
  let broken = false;
  beforeEach(function () {
    if (broken) this.skip();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      broken = true;
      if (page) await snap('failure').catch(() => undefined);
    }
  });

  before(async () => {
    wb = await workbench();
    wb.ensureKit();
    rmSync(shots, { recursive: true, force: true });
    mkdirSync(shots, { recursive: true });
    vsix = wb.packageVsix();
    dataDir = mkdtempSync(path.join(tmpdir(), 'autodev-code-server-'));
    ws = wb.makeExampleWorkspace('python-divide');
  });

  after(async () => {
    // Stop the app the way a user would (the extension removes its containers); cleanup() removes any leftover.
    if (page) await runCommand(page, 'AutoDev: Stop', 15_000).then(() => sleep(1500), () => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    ws?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (vsix) rmSync(path.dirname(vsix), { recursive: true, force: true });
  });

  it('packages a small .vsix with only the bundles, media and docs', () => {
    const entries = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).trim().split('\n').filter((e) => e.startsWith('extension/'));
    const unexpected = entries.filter((e) => !/^extension\/(dist\/(extension|cli|webview|kubernetes|ssh)\.js|media\/.+|README\.md|CHANGELOG\.md|LICENSE(\.txt)?|package\.json)$/i.test(e));
    assert.deepStrictEqual(unexpected, [], `unexpected files in the .vsix: ${unexpected.join(', ')}`);
    for (const needed of ['extension/dist/extension.js', 'extension/dist/webview.js', 'extension/dist/kubernetes.js', 'extension/dist/ssh.js', 'extension/media/icon.png', 'extension/package.json']) assert.ok(entries.includes(needed), `${needed} missing`);
    const mb = statSync(vsix).size / 1024 / 1024;
    assert.ok(mb < 5, `the .vsix is ${mb.toFixed(1)} MB`);
  });

  it('installs the .vsix into code-server and opens the workspace in the workbench', async () => {
    const out = wb.installVsix(vsix, dataDir);
    assert.match(out, /was successfully installed/);
    assert.ok(readdirSync(path.join(dataDir, 'ext')).some((d) => /^autodev\.autodev-\d/.test(d)), 'the extension is in code-server\'s extensions folder');
    server = await wb.startServer({ kind: 'code-server', dataDir, folder: ws.dir });
    browser = await wb.launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    // Not playwright's 30 s default: a busy machine loads the workbench slower, which is not a failure of AutoDev.
    await page.goto(`${server.url}/?folder=${encodeURIComponent(ws.dir)}`, { waitUntil: 'domcontentloaded', timeout: 180_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await page.locator('.statusbar').waitFor();
    await snap('workbench');
  });

  it('Deploy Workspace from the command palette: Mission Control shows DEPLOYING → RUNNING → CRASHED → FIXING → VERIFYING → REVIEW', async () => {
    // Mission Control first, so the very first states are on screen as they happen.
    await runCommand(page, 'AutoDev: Open Mission Control');
    const mc = await missionControl(page);
    await mc.locator('.state-name', { hasText: 'IDLE' }).waitFor();
    await runCommand(page, 'AutoDev: Deploy Workspace');
    const seen: string[] = [];
    const deadline = Date.now() + 4 * 60_000;
    let frame = mc;
    while (Date.now() < deadline) {
      // A hidden webview is torn down (retainContextWhenHidden is off) and rebuilt from the snapshot: re-find it.
      if (frame.isDetached()) frame = await missionControl(page, 10_000).catch(() => frame);
      const state = (await frame.locator('.state-name').textContent({ timeout: 1000 }).catch(() => null))?.trim();
      if (state && state !== seen[seen.length - 1]) {
        seen.push(state);
        // Keep the shot only if the banner still shows that state afterwards: a shot is never mislabelled. States
        // shorter than a screenshot (CRASHED → FIXING can take milliseconds) are in the timeline of later shots.
        const file = path.join(shots, `tmp-${state}.png`);
        await page.screenshot({ path: file });
        const after = (await frame.locator('.state-name').textContent({ timeout: 1000 }).catch(() => null))?.trim();
        if (after === state) renameSync(file, path.join(shots, `${String(++shot).padStart(2, '0')}-state-${state}.png`));
        else rmSync(file, { force: true });
      }
      if (state === 'REVIEW' || state === 'FAILED') break;
      await sleep(50);
    }
    // The timeline is the record of every transition, including ones faster than a screenshot.
    const timeline = (await (await missionControl(page)).locator('.timeline .tl-state').allTextContents()).map((s) => s.trim());
    const i = timeline.indexOf('DEPLOYING');
    assert.deepStrictEqual(timeline.slice(i, i + 6), ['DEPLOYING', 'RUNNING', 'CRASHED', 'FIXING', 'VERIFYING', 'REVIEW'], `timeline: ${timeline.join(' → ')}; polled: ${seen.join(' → ')}`);
    assert.ok(await (await missionControl(page)).getByText('ZeroDivisionError').first().isVisible(), 'the crash card names the error');
  });

  it('opens the verified patch in the diff editor; Accept in the editor title applies it and the app is HEALED', async () => {
    const diffTab = page.locator('.tabs-container .tab', { hasText: 'app.py (AutoDev fix)' });
    await diffTab.first().waitFor({ timeout: 30_000 });
    await diffTab.first().click();
    await page.locator('.monaco-diff-editor').first().waitFor();
    await snap('review-diff');
    const accept = page.locator('.editor-actions .action-label[aria-label="Accept Patch"]');
    await accept.first().waitFor({ timeout: 15_000 });
    await accept.first().click();
    const mc = await missionControl(page);
    await mc.locator('.state-name', { hasText: 'HEALED' }).waitFor({ timeout: 120_000 });
    await snap('state-HEALED');
    const app = readFileSync(path.join(ws.dir, 'app.py'), 'utf8');
    assert.doesNotMatch(app, /return total \/ len\(people\)\n/, 'app.py on disk has the fix');
    assert.match(git(ws.dir, 'log', '-1', '--format=%s'), /^🩹 Auto-fix: ZeroDivisionError in app\.py:6/);
  });

  it('lists the fix in the Fixes sidebar and pushes it to the bare remote', async () => {
    await page.locator('.activitybar .action-item a[aria-label^="AutoDev"]').first().click();
    const row = page.locator('.part.sidebar .monaco-list-row', { hasText: 'ZeroDivisionError in app.py:6' });
    await row.first().waitFor({ timeout: 30_000 });
    assert.match((await row.first().textContent()) ?? '', /committed/);
    await snap('fixes-committed');
    await row.first().hover();
    await row.first().locator('.action-label[aria-label="Push Fix"]').click();
    const head = git(ws.dir, 'rev-parse', 'HEAD');
    const deadline = Date.now() + 60_000;
    let remoteHead = '';
    while (Date.now() < deadline && remoteHead !== head) {
      remoteHead = git(ws.remote!, 'rev-parse', 'refs/heads/main');
      await sleep(250);
    }
    assert.strictEqual(remoteHead, head, 'the bare remote has the fix commit');
    await page.locator('.part.sidebar .monaco-list-row', { hasText: 'pushed' }).first().waitFor({ timeout: 15_000 });
    await snap('fixes-pushed');
  });
});
