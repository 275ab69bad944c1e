/**
 * Applies a pending patch to the real workspace (the core's PatchApplier; VS Code uses a WorkspaceEdit instead).
 * All or nothing: the path policy and every file's current content are checked before anything is written, each
 * file is written atomically (temp file + rename), and a failed write restores the files already written.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync, chmodSync } from 'node:fs';
import * as path from 'node:path';
import { AutoDevError } from '../errors';
import type { PatchApplier } from './patchApplier';
import type { PatchFile, PendingPatch } from './pendingPatch';
import { assertNoSymlinkComponents, resolveWorkspacePath } from './pathPolicy';

/** Current bytes of a file, or null when it does not exist. */
function readBytes(abs: string): Buffer | null {
  try {
    return readFileSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

/** Writes `data` next to `abs` and renames it into place, keeping the old file's mode. */
function atomicWrite(abs: string, data: Buffer | string, mode?: number): void {
  const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.autodev-${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, data, mode !== undefined ? { mode } : undefined);
    if (mode !== undefined) chmodSync(tmp, mode);
    renameSync(tmp, abs);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temp file was never created
    }
    throw err;
  }
}

interface Planned {
  file: PatchFile;
  abs: string;
  /** The workspace's real path. */
  root: string;
  before: Buffer | null;
  mode?: number;
}

export class FsPatchApplier implements PatchApplier {
  /** Checks every file first; throws PatchConflict (nothing written) if the workspace no longer matches. */
  private plan(workspaceDir: string, files: PatchFile[], expect: (f: PatchFile) => (string | null)[]): Planned[] {
    return files.map((file) => {
      const abs = resolveWorkspacePath(workspaceDir, file.path, { write: true });
      const before = readBytes(abs);
      const ok = expect(file).some((want) => (want === null ? before === null : before !== null && before.equals(Buffer.from(want, 'utf8'))));
      if (!ok) {
        const what = before === null ? 'was deleted' : file.original === null ? 'exists now' : 'changed';
        throw new AutoDevError('PatchConflict', `${file.path} ${what} since the patch was made; nothing was written. Ask for a new fix.`);
      }
      let mode: number | undefined;
      if (before !== null) mode = statSync(abs).mode & 0o7777;
      return { file, abs, root: realpathSync(workspaceDir), before, mode };
    });
  }

  /** Writes the planned contents; on any failure restores what was written and removes what was created. */
  private write(planned: Planned[], contentOf: (p: Planned) => string | null, verb: string): void {
    const done: Planned[] = [];
    const madeDirs: { first: string; dir: string }[] = [];
    try {
      for (const p of planned) {
        // Again right before writing: a running app may have swapped a folder for a symlink since the plan.
        assertNoSymlinkComponents(p.root, p.abs, p.file.path);
        const content = contentOf(p);
        if (content === null) {
          if (p.before !== null) unlinkSync(p.abs);
        } else {
          const dir = path.dirname(p.abs);
          const first = mkdirSync(dir, { recursive: true });
          if (first) madeDirs.push({ first, dir });
          atomicWrite(p.abs, content, p.mode);
        }
        done.push(p);
      }
    } catch (err) {
      const failed: string[] = [];
      for (const p of done.reverse()) {
        try {
          if (p.before === null) unlinkSync(p.abs);
          else atomicWrite(p.abs, p.before, p.mode);
        } catch {
          failed.push(p.file.path);
        }
      }
      for (const { first, dir } of madeDirs.reverse()) {
        // Remove the directories this write created, deepest first; a non-empty one stops the walk.
        for (let d = dir; d.length >= first.length; d = path.dirname(d)) {
          try {
            rmdirSync(d);
          } catch {
            break;
          }
        }
      }
      const restored = failed.length ? `; could NOT restore ${failed.join(', ')}` : '; every file was restored';
      throw new AutoDevError('PatchWriteFailed', `could not ${verb} the patch: ${(err as Error).message}${restored}`);
    }
  }

  async apply(workspaceDir: string, patch: PendingPatch): Promise<void> {
    const planned = this.plan(workspaceDir, patch.files, (f) => [f.original]);
    this.write(planned, (p) => p.file.patched, 'apply');
  }

  /**
   * Restores every file to its original (deleting files the patch created). A file already at its original is left
   * alone; one edited by someone else since the patch was applied is a PatchConflict (nothing written).
   */
  async revert(workspaceDir: string, patch: PendingPatch): Promise<void> {
    const planned = this.plan(workspaceDir, patch.files, (f) => [f.patched, f.original]);
    this.write(planned, (p) => p.file.original, 'revert');
  }
}
