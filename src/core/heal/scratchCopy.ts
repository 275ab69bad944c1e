/** Scratch copies of the workspace for verification: the full working tree (git-ignored files such as .env too), no .git. */
import { constants } from 'node:fs';
import { chmod, cp, lstat, mkdtemp, rm, writeFile, mkdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { PatchFile } from '../patch/pendingPatch';
import { assertNoSymlinkComponents, checkRelativePath } from '../patch/pathPolicy';
import { AutoDevError } from '../errors';

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
    // The same policy as every other write: a patch path the appliers would refuse is refused here too, and no
    // symlink the copy kept (verbatim, so it may point into the real workspace or outside) is written through.
    const target = path.join(dir, ...checkRelativePath(f.path).split('/'));
    if (!target.startsWith(dir + path.sep)) throw new AutoDevError('PathRefused', `patch path outside the scratch copy: ${f.path}`);
    assertNoSymlinkComponents(dir, target, f.path);
    await mkdirNoFollow(dir, path.dirname(target), f.path);
    if (f.patched === null || f.patched === undefined) await unlink(target).catch(() => undefined);
    else await writeFile(target, f.patched, { flag: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW });
  }
}

/** Creates `target` and its missing parents one by one below `root`, refusing any symlink met on the way. */
async function mkdirNoFollow(root: string, target: string, rel: string): Promise<void> {
  let cur = root;
  for (const part of path.relative(root, target).split(path.sep).filter(Boolean)) {
    cur = path.join(cur, part);
    await mkdir(cur).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    if ((await lstat(cur)).isSymbolicLink()) throw new AutoDevError('PathRefused', `refused "${rel}": writes never go through a symlink`);
  }
}

export async function removeScratchCopy(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}
