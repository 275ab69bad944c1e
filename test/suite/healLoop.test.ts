/**
 * The whole loop in a real extension host on a real container: the runner opens a fresh temp copy of
 * examples/python-divide (a git repo with a local bare remote `origin`, offline images, built-in fixer) for this
 * suite alone; a workspace in any other state fails the suite with the reason.
 */
import * as assert from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { getGitApi } from '../../src/vscode/vscodeGitPort';
import { PATCH_SCHEME } from '../../src/vscode/patchReview';
import type { AutodevApi } from '../../src/vscode/autodevApi';
import type { PendingPatch } from '../../src/core/patch/pendingPatch';
import { EventLog, activateAutodev, assertFreshExample, until } from './suiteSupport';

describe('Heal loop in VS Code (python-divide, real Docker)', function () {
  // Each step needs the one before it: after a failure, the rest are skipped rather than timing out one by one.
  let broken = false;
  beforeEach(function () {
    if (broken) this.skip();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') broken = true;
  });
  let api: AutodevApi;
  let log: EventLog;
  let dir: string;
  let appUri: vscode.Uri;
  let patch: PendingPatch;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

  before(async function () {
    if (!vscode.workspace.isTrusted) this.skip();
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder || !folder.uri.fsPath.includes('python-divide')) this.skip();
    dir = folder.uri.fsPath;
    assertFreshExample(dir, 'python-divide');
    appUri = vscode.Uri.file(path.join(dir, 'app.py'));
    api = await activateAutodev();
    log = new EventLog(api);
  });

  after(async () => {
    if (api && api.state !== 'IDLE') await vscode.commands.executeCommand('autodev.stop');
  });

  it('deploys the workspace: DEPLOYING → RUNNING → CRASHED with a real container', async () => {
    void vscode.commands.executeCommand('autodev.deployWorkspace');
    await log.waitForState('CRASHED', 240_000);
    const states = log.states();
    assert.deepStrictEqual(states.slice(0, 3), ['DEPLOYING', 'RUNNING', 'CRASHED'], states.join(' → '));
    const crash = await log.wait('crash');
    assert.strictEqual(crash.crash.type, 'ZeroDivisionError');
    assert.ok(log.events.some((e) => e.kind === 'log' && /bill: 120.00/.test(e.line.text)), 'the app\'s own output arrived from the container');
  });

  it('shows the crash in the Problems panel at the user frame', async () => {
    const diagnostics = await until('a diagnostic on app.py', () => vscode.languages.getDiagnostics(appUri).filter((d) => d.source === 'AutoDev'));
    assert.strictEqual(diagnostics.length, 1);
    const d = diagnostics[0];
    assert.strictEqual(d.range.start.line + 1, 6, 'app.py:6 is `return total / len(people)`');
    assert.match(d.message, /^ZeroDivisionError: (float )?division by zero/);
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
    const related = (d.relatedInformation ?? []).map((r) => `${path.basename(r.location.uri.fsPath)}:${r.location.range.start.line + 1}`);
    assert.ok(related.includes('app.py:12') && related.includes('app.py:17'), `related frames: ${related.join(', ')} (main() calls share() on line 12, the module calls main() on 17)`);
  });

  it('verifies the fix, then opens it as a diff with Accept/Reject pending', async () => {
    patch = (await log.wait('patch')).patch;
    await log.waitForState('REVIEW');
    const states = log.states();
    const i = states.indexOf('CRASHED');
    assert.deepStrictEqual(states.slice(i, i + 4), ['CRASHED', 'FIXING', 'VERIFYING', 'REVIEW'], states.join(' → '));
    assert.strictEqual(api.pendingPatchId(), patch.id);
    const diffTab = await until('the diff editor of app.py', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === PATCH_SCHEME && t.input.modified.path.endsWith('app.py')),
    );
    const input = diffTab.input as vscode.TabInputTextDiff;
    const original = await vscode.workspace.openTextDocument(input.original);
    const patched = await vscode.workspace.openTextDocument(input.modified);
    assert.strictEqual(original.getText(), patch.files[0].original);
    assert.strictEqual(patched.getText(), patch.files[0].patched);
    assert.notStrictEqual(patched.getText(), original.getText());
    // Nothing is on disk until Accept.
    assert.strictEqual(new TextDecoder().decode(await vscode.workspace.fs.readFile(appUri)), patch.files[0].original);
  });

  it('Accept applies the patch through a WorkspaceEdit, saves it, and the app is HEALED', async () => {
    await vscode.commands.executeCommand('autodev.acceptPatch');
    await log.waitForState('HEALED', 120_000);
    const onDisk = new TextDecoder().decode(await vscode.workspace.fs.readFile(appUri));
    assert.strictEqual(onDisk, patch.files[0].patched);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === appUri.toString());
    assert.ok(doc, 'the edit went through an editor document (WorkspaceEdit), not a raw file write');
    assert.strictEqual(doc.isDirty, false);
    assert.strictEqual(doc.getText(), patch.files[0].patched);
    assert.strictEqual(api.pendingPatchId(), undefined);
    await until('the crash diagnostic to clear', () => vscode.languages.getDiagnostics(appUri).filter((d) => d.source === 'AutoDev').length === 0);
  });

  it('commits the fix, and the built-in git extension sees the commit', async () => {
    const commit = await log.wait('commit');
    const gitApi = await getGitApi();
    assert.ok(gitApi, 'the built-in git extension is enabled');
    const repo = await until('the git extension to open the repository', async () => gitApi.getRepository(vscode.Uri.file(dir)) ?? (await gitApi.openRepository(vscode.Uri.file(dir))));
    await repo.status();
    const [head] = await repo.log({ maxEntries: 1 });
    assert.strictEqual(head.hash, commit.sha);
    assert.match(head.message, /^🩹 Auto-fix: ZeroDivisionError in app\.py:6/);
    assert.strictEqual(repo.state.HEAD?.commit, commit.sha);
    assert.deepStrictEqual(git('show', '--name-only', '--format=', 'HEAD').split('\n'), ['app.py'], 'only the patched file is in the commit');
  });

  it('lists the fix in the Fixes view as committed', async () => {
    const commit = await log.wait('commit');
    const fix = await until('a committed fix', () => api.fixes().find((f) => f.status === 'committed' && f.commit === commit.sha));
    assert.strictEqual(fix.crashType, 'ZeroDivisionError');
    assert.strictEqual(fix.file, 'app.py');
    await vscode.commands.executeCommand('autodev.views.fixes.focus');
  });

  it('shows the diff of a fix from the Fixes view', async () => {
    const fix = api.fixes()[0];
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('autodev.fixes.showDiff', fix);
    const tab = await until('the fix\'s diff editor', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === PATCH_SCHEME));
    assert.match(tab.label, /app\.py/);
  });

  it('pushes the fix to the remote from the Fixes view', async () => {
    const commit = await log.wait('commit');
    const fix = api.fixes().find((f) => f.commit === commit.sha)!;
    await vscode.commands.executeCommand('autodev.fixes.push', fix);
    const remoteHead = git('ls-remote', 'origin', 'refs/heads/main').split('\t')[0];
    assert.strictEqual(remoteHead, commit.sha);
    assert.strictEqual(api.fixes().find((f) => f.id === fix.id)?.status, 'pushed');
  });

  it('Stop removes the app\'s container', async () => {
    const ours = () => execFileSync('docker', ['ps', '-aq', '--filter', `label=autodev.owner.pid=${process.pid}`], { encoding: 'utf8' }).trim();
    assert.notStrictEqual(ours(), '', 'the app container is labelled with this extension host as its owner');
    await vscode.commands.executeCommand('autodev.stop');
    await until('no container owned by this extension host', () => ours() === '', 30_000);
    assert.strictEqual(api.state, 'IDLE');
  });

  it('the applied edit is on the editor\'s undo stack', async () => {
    const editor = await vscode.window.showTextDocument(appUri, { preview: false });
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(editor.document.getText(), patch.files[0].original);
    await vscode.commands.executeCommand('redo');
    assert.strictEqual(editor.document.getText(), patch.files[0].patched);
    await editor.document.save();
  });

  it('reverts the fix from the Fixes view with a revert commit', async () => {
    const commit = await log.wait('commit');
    const fix = api.fixes().find((f) => f.commit === commit.sha)!;
    await vscode.commands.executeCommand('autodev.fixes.revert', fix);
    assert.strictEqual(api.fixes().find((f) => f.id === fix.id)?.status, 'reverted');
    assert.match(git('log', '-1', '--format=%s'), /^Revert "🩹 Auto-fix: ZeroDivisionError/);
    assert.strictEqual(new TextDecoder().decode(await vscode.workspace.fs.readFile(appUri)), patch.files[0].original);
  });
});
