/**
 * PatchApplier through a WorkspaceEdit: undoable, sees unsaved editor text, refuses to clobber a file someone else
 * changed. Whether a file conflicts, and how a slow or failed save is settled, is decided in core
 * (applyThroughEditor); this adapter only maps its operations onto TextDocuments and the file system.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AutoDevError } from '../core/errors';
import { resolveWorkspacePath } from '../core/patch/pathPolicy';
import type { PatchApplier } from '../core/patch/patchApplier';
import type { PendingPatch } from '../core/patch/pendingPatch';
import { applyThroughEditor, type EditorApplyTiming, type EditorFiles } from '../core/patch/editorPatchApply';

/** A file of the workspace to show (a trace's frame): anything that would land outside the workspace is refused. */
export function workspaceFileUri(workspaceDir: string, relPath: string): vscode.Uri {
  const root = path.resolve(workspaceDir);
  const abs = path.resolve(root, relPath);
  if (path.isAbsolute(relPath) || (abs !== root && !abs.startsWith(root + path.sep))) {
    throw new AutoDevError('PathOutsideWorkspace', `"${relPath}" is outside the workspace.`);
  }
  return vscode.Uri.file(abs);
}

/**
 * A file the patch writes, checked again by the core's one path policy (the agent's tools checked it first):
 * nothing outside the workspace, no `.git`, hooks, editor/CI/host-executed files, `.env*`, hard links, aliasing
 * names, and no symlink in any component. Throws AutoDevError('PathRefused').
 */
export function patchFileUri(workspaceDir: string, relPath: string): vscode.Uri {
  return vscode.Uri.file(resolveWorkspacePath(workspaceDir, relPath, { write: true }));
}

function fullRange(doc: vscode.TextDocument): vscode.Range {
  return new vscode.Range(new vscode.Position(0, 0), doc.lineAt(doc.lineCount - 1).range.end);
}

const isFileNotFound = (err: unknown) => err instanceof vscode.FileSystemError && err.code === 'FileNotFound';

/** The workspace's files as VS Code holds them: open TextDocuments first, then the disk through workspace.fs. */
export class VsCodeEditorFiles implements EditorFiles {
  constructor(private readonly workspaceDir: string) {}

  private uri(file: string): vscode.Uri {
    return patchFileUri(this.workspaceDir, file);
  }

  private document(file: string): vscode.TextDocument | undefined {
    const uri = this.uri(file).toString();
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri && !d.isClosed);
  }

  buffer(file: string): { text: string; dirty: boolean } | undefined {
    const doc = this.document(file);
    return doc ? { text: doc.getText(), dirty: doc.isDirty } : undefined;
  }

  async disk(file: string): Promise<string | null> {
    try {
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(this.uri(file)));
    } catch (err) {
      if (isFileNotFound(err)) return null;
      throw err;
    }
  }

  async edit(changes: { file: string; text: string | null }[]): Promise<boolean> {
    const edit = new vscode.WorkspaceEdit();
    for (const c of changes) {
      const uri = this.uri(c.file);
      const exists = this.document(c.file) !== undefined || (await this.disk(c.file)) !== null;
      if (c.text === null) {
        if (exists) edit.deleteFile(uri, { ignoreIfNotExists: true });
      } else if (!exists) {
        edit.createFile(uri, { ignoreIfExists: false, contents: new TextEncoder().encode(c.text) });
      } else {
        // The edit carries the document's version: VS Code refuses it if the buffer changed since (a user's keystroke).
        const doc = await vscode.workspace.openTextDocument(uri);
        edit.replace(uri, fullRange(doc), c.text);
      }
    }
    return vscode.workspace.applyEdit(edit, { isRefactoring: false });
  }

  async save(file: string): Promise<boolean> {
    const doc = this.document(file);
    return doc ? doc.save() : true;
  }

  async write(file: string, text: string | null): Promise<void> {
    const uri = this.uri(file);
    if (text !== null) return vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    await vscode.workspace.fs.delete(uri, { useTrash: false }).then(undefined, (err) => {
      if (!isFileNotFound(err)) throw err;
    });
  }

  /**
   * VS Code has no API to revert one document, only the command on the active editor: show the document (focus
   * stays where it is), revert it, and close the tab again if it was opened only for this.
   */
  async reload(file: string): Promise<void> {
    const doc = this.document(file);
    if (!doc || !doc.isDirty) return;
    const uri = doc.uri.toString();
    const tabOf = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri);
    const hadTab = tabOf() !== undefined;
    await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: true });
    await vscode.commands.executeCommand('workbench.action.files.revert');
    const tab = tabOf();
    if (!hadTab && tab && !doc.isDirty) await vscode.window.tabGroups.close(tab, true);
  }
}

export class WorkspaceEditPatchApplier implements PatchApplier {
  constructor(private readonly options: { onNote?: (text: string) => void; timing?: Partial<EditorApplyTiming> } = {}) {}

  async apply(workspaceDir: string, patch: PendingPatch): Promise<void> {
    const targets = patch.files.map((f) => ({ file: f.path, before: [f.original], next: f.patched }));
    await this.run(workspaceDir, targets, 'apply');
  }

  /** Restores every file; one already back at its original is left alone, one edited since the apply is a conflict. */
  async revert(workspaceDir: string, patch: PendingPatch): Promise<void> {
    const targets = patch.files.map((f) => ({ file: f.path, before: [f.patched], next: f.original }));
    await this.run(workspaceDir, targets, 'revert');
  }

  private async run(workspaceDir: string, targets: { file: string; before: (string | null)[]; next: string | null }[], verb: 'apply' | 'revert'): Promise<void> {
    // Every path is checked before anything is read or touched.
    for (const t of targets) patchFileUri(workspaceDir, t.file);
    await applyThroughEditor(new VsCodeEditorFiles(workspaceDir), targets, { verb, timing: this.options.timing, onNote: this.options.onNote });
  }
}
