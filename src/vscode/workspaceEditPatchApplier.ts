/** PatchApplier through a WorkspaceEdit: undoable, sees unsaved editor text, refuses to clobber a file changed since the patch. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AutoDevError } from '../core/errors';
import type { PatchApplier } from '../core/heal/healController';
import type { PatchFile, PendingPatch } from '../core/agent/llmProvider';

/** Resolves a workspace-relative patch path; refuses anything that would land outside the workspace. */
export function patchFileUri(workspaceDir: string, relPath: string): vscode.Uri {
  const root = path.resolve(workspaceDir);
  const abs = path.resolve(root, relPath);
  if (path.isAbsolute(relPath) || (abs !== root && !abs.startsWith(root + path.sep))) {
    throw new AutoDevError('PathOutsideWorkspace', `The patch names "${relPath}", which is outside the workspace; nothing was applied.`);
  }
  return vscode.Uri.file(abs);
}

/** The file's text as the user sees it: an open editor's buffer (dirty or not) wins over the disk; null when absent. */
async function currentText(uri: vscode.Uri): Promise<string | null> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open && !open.isClosed) return open.getText();
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (err) {
    if (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') return null;
    throw err;
  }
}

function fullRange(doc: vscode.TextDocument): vscode.Range {
  return new vscode.Range(new vscode.Position(0, 0), doc.lineAt(doc.lineCount - 1).range.end);
}

export class WorkspaceEditPatchApplier implements PatchApplier {
  async apply(workspaceDir: string, patch: PendingPatch): Promise<void> {
    await this.replace(workspaceDir, patch.files, (f) => ({ expected: f.original, next: f.patched }), 'apply');
  }

  async revert(workspaceDir: string, patch: PendingPatch): Promise<void> {
    await this.replace(workspaceDir, patch.files, (f) => ({ expected: null, next: f.original }), 'revert');
  }

  private async replace(
    workspaceDir: string,
    files: PatchFile[],
    plan: (f: PatchFile) => { expected: string | null; next: string | null },
    action: 'apply' | 'revert',
  ): Promise<void> {
    const targets = files.map((f) => ({ file: f, uri: patchFileUri(workspaceDir, f.path), ...plan(f) }));
    if (action === 'apply') {
      // Check every file before touching any: a conflict anywhere leaves everything as it was.
      for (const t of targets) {
        const now = await currentText(t.uri);
        if (now !== t.expected) {
          throw new AutoDevError(
            'PatchConflict',
            `${t.file.path} changed since the patch was computed (${now === null ? 'it was deleted' : 'edited'}); the patch was not applied. AutoDev re-plans from the current text.`,
          );
        }
      }
    }
    const edit = new vscode.WorkspaceEdit();
    const docs: vscode.TextDocument[] = [];
    for (const t of targets) {
      const exists = (await currentText(t.uri)) !== null;
      if (t.next === null) {
        if (exists) edit.deleteFile(t.uri, { ignoreIfNotExists: true });
      } else if (!exists) {
        edit.createFile(t.uri, { ignoreIfExists: false, contents: new TextEncoder().encode(t.next) });
      } else {
        const doc = await vscode.workspace.openTextDocument(t.uri);
        docs.push(doc);
        edit.replace(t.uri, fullRange(doc), t.next);
      }
    }
    if (!(await vscode.workspace.applyEdit(edit, { isRefactoring: false }))) {
      throw new AutoDevError('PatchConflict', `VS Code refused the edit (a file may be read-only or changed meanwhile); nothing was ${action === 'apply' ? 'applied' : 'reverted'}.`);
    }
    for (const doc of docs) {
      if (doc.isDirty && !(await doc.save())) {
        throw new AutoDevError('PatchConflict', `Could not save ${vscode.workspace.asRelativePath(doc.uri)} after the edit; it is open with the ${action === 'apply' ? 'patched' : 'original'} text, unsaved.`);
      }
    }
    // Saving goes through the editor's EOL and encoding; a revert must be byte-for-byte, so check the disk and fix it up.
    for (const t of targets) {
      if (t.next === null) continue;
      const disk = await vscode.workspace.fs.readFile(t.uri).then((b) => new TextDecoder().decode(b), () => null);
      if (disk !== t.next) await vscode.workspace.fs.writeFile(t.uri, new TextEncoder().encode(t.next));
    }
  }
}
