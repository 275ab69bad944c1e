/** Scratch copies of the workspace for verification: the full working tree (git-ignored files such as .env too), no .git. */
import { chmod, cp, mkdtemp, rm, writeFile, mkdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { PatchFile } from '../patch/pendingPatch';

/**
 * Copies `workspaceDir` to a new temp folder and overlays `files` (patched contents) on it. The user's files are
 * never touched. Returns the folder; the caller removes it with `removeScratchCopy`.
 */
export async function createScratchCopy(workspaceDir: string, files: readonly PatchFile[] = []): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'autodev-scratch-'));
  // The container's root has no CAP_DAC_OVERRIDE: the bind-mounted folder must be world-readable like a checkout.
  await chmod(dir, 0o755);
  const root = path.resolve(workspaceDir);
  try {
    await fill(root, dir, files);
  } catch (err) {
    await removeScratchCopy(dir);
    throw err;
  }
  return dir;
}

async function fill(root: string, dir: string, files: readonly PatchFile[]): Promise<void> {
  await cp(root, dir, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (src) => {
      const rel = path.relative(root, src);
      return rel !== '.git' && !rel.startsWith(`.git${path.sep}`);
    },
  });
  for (const f of files) {
    const target = path.join(dir, ...f.path.split('/'));
    if (!target.startsWith(dir + path.sep)) throw new Error(`patch path outside the scratch copy: ${f.path}`);
    await mkdir(path.dirname(target), { recursive: true });
    if (f.patched === null || f.patched === undefined) await unlink(target).catch(() => undefined);
    else await writeFile(target, f.patched);
  }
}

export async function removeScratchCopy(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}
