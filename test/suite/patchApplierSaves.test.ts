/**
 * The WorkspaceEdit applier against VS Code's real save path: a save that is slow (a save participant holding it,
 * as formatters do on a busy machine) is not a conflict and never leaves the editor dirty; another program writing
 * the file while the save runs is a conflict, and the editor then shows that program's text, not our unsaved patch.
 */
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { WorkspaceEditPatchApplier } from '../../src/vscode/workspaceEditPatchApplier';
import type { PendingPatch } from '../../src/core/patch/pendingPatch';
import { until } from './suiteSupport';

const hasCode = (e: unknown, code: string): boolean => (e as Error)?.name === 'AutoDevError' && (e as { code?: string }).code === code;
const OLD = 'def share(total, people):\n    return total / len(people)\n';
const NEW = 'def share(total, people):\n    return total / len(people) if people else 0.0\n';

function patchOf(file: string): PendingPatch {
  return { id: 'p1', files: [{ path: file, original: OLD, patched: NEW }], diff: '', summary: 's', provider: 'builtin', model: 'm', attempt: 1, promptTokens: 0, completionTokens: 0 };
}

describe('WorkspaceEditPatchApplier: slow and failing saves', () => {
  let dir: string;
  let file: string;
  let participant: vscode.Disposable | undefined;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autodev-saves-'));
    file = path.join(dir, 'app.py');
    fs.writeFileSync(file, OLD);
    // The document is open, as when the user looked at the crash in the editor.
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
  });
  afterEach(async () => {
    participant?.dispose();
    participant = undefined;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a save slower than its time budget is not a conflict: the verified bytes land and the editor is clean', async () => {
    participant = vscode.workspace.onWillSaveTextDocument((e) => {
      if (e.document.uri.fsPath === file) e.waitUntil(new Promise<void>((r) => setTimeout(r, 1200)));
    });
    const notes: string[] = [];
    const applier = new WorkspaceEditPatchApplier({ onNote: (n) => notes.push(n), timing: { saveTimeoutMs: 200, saveAttempts: 2, retryDelayMs: 50 } });
    await applier.apply(dir, patchOf('app.py'));
    assert.strictEqual(fs.readFileSync(file, 'utf8'), NEW);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file)!;
    assert.strictEqual(doc.getText(), NEW);
    await until('the editor to be clean', () => !doc.isDirty, 15_000);
    // VS Code answers a save held this way either late or with a failure: both end in the direct write.
    assert.ok(notes.some((n) => /saving app\.py (took over|failed)/.test(n)) && notes.some((n) => /writing the verified bytes of app\.py directly/.test(n)), notes.join('\n'));
    // The held saves finish later with the same text: nothing changes.
    await new Promise((r) => setTimeout(r, 1500));
    assert.strictEqual(fs.readFileSync(file, 'utf8'), NEW);
  });

  it('another program writing the file during the save is a PatchConflict, and the editor shows its text, clean', async () => {
    const theirs = `${OLD}# written by a formatter outside the editor\n`;
    participant = vscode.workspace.onWillSaveTextDocument((e) => {
      if (e.document.uri.fsPath === file) fs.writeFileSync(file, theirs);
    });
    await assert.rejects(new WorkspaceEditPatchApplier({ timing: { saveTimeoutMs: 5000, saveAttempts: 2, retryDelayMs: 50 } }).apply(dir, patchOf('app.py')), (e: unknown) => hasCode(e, 'PatchConflict') && /changed on disk/.test((e as Error).message));
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file)!;
    await until('the editor to show the other program\'s text, saved', () => !doc.isDirty && doc.getText() === theirs, 15_000);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), theirs);
  });
});
