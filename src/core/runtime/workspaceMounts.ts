/**
 * The mounts of an app container: the workspace read-write at the image's workdir, and, read-only on top of it,
 * everything git, the editor or CI executes on the host (`.git` — also a git dir or hooks directory the repository
 * keeps inside the workspace —, `.vscode`, hook directories, CI files, `.gitignore`…), so the app cannot plant code
 * that AutoDev's next commit or the user's editor would run. The app runs as the workspace's owner (generated
 * images), so what it does write stays the user's.
 */
import { chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { isHostExecutedDir, isHostExecutedFile } from '../common/hostExecutedPaths';
import { configuredHooksDir } from '../git/hardenedGit';

/** A dockerode bind mount (HostConfig.Mounts: any character in a path is fine, unlike `Binds` strings). */
export interface BindMount {
  Type: 'bind';
  Source: string;
  Target: string;
  ReadOnly: boolean;
}

export interface WorkspaceMounts {
  /** The folder mounted read-write at the workdir (symlinks resolved). */
  root: string;
  mounts: BindMount[];
  /** Empty directories created as read-only mount points (removed again by `removePlaceholders`). */
  placeholders: string[];
}

/**
 * Absent at deploy time, these would let the app create them: an empty read-only mount point is put there (owned
 * by the workspace's owner). `.git`: the app could otherwise turn the folder into a repository whose config
 * (core.fsmonitor) runs when the editor asks git for status; `.vscode`: settings and tasks the editor runs.
 */
const PLACEHOLDERS = ['.git', '.vscode'];

function isInside(root: string, p: string): boolean {
  const r = path.relative(root, p);
  return r !== '' && !r.startsWith('..') && !path.isAbsolute(r);
}

/** A real directory or file (no symlink in any component below `root`): a bind mount follows symlinks on the host. */
function plainEntry(root: string, p: string): boolean {
  let cur = p;
  while (cur !== root && isInside(root, cur)) {
    try {
      if (lstatSync(cur).isSymbolicLink()) return false;
    } catch {
      return false;
    }
    cur = path.dirname(cur);
  }
  return true;
}

/** Where a `.git` file (worktree, submodule, --separate-git-dir) points, absolute; null when it is not such a file. */
function gitFileTarget(root: string): string | null {
  try {
    const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(path.join(root, '.git'), 'utf8'));
    return m ? path.resolve(root, m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * The mounts for running `sourceDir` at `workdir`. With `placeholders` (the user's own workspace, not a scratch
 * copy), absent `.git`/`.vscode` get read-only mount points.
 */
export function workspaceMounts(sourceDir: string, workdir: string, opts: { placeholders: boolean }): WorkspaceMounts {
  const root = realpathSync(sourceDir);
  const st = statSync(root);
  const mounts: BindMount[] = [{ Type: 'bind', Source: root, Target: workdir, ReadOnly: false }];
  const protectedPaths = new Set<string>();
  const protect = (abs: string) => {
    if (!isInside(root, abs) || !plainEntry(root, abs)) return;
    // Already covered by a protected parent (e.g. hooks in .git/hooks): one read-only mount is enough.
    for (const p of protectedPaths) if (abs === p || isInside(p, abs)) return;
    protectedPaths.add(abs);
  };
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if ((e.isDirectory() && isHostExecutedDir(e.name)) || (e.isFile() && (isHostExecutedFile(e.name) || e.name === '.git'))) protect(path.join(root, e.name));
  }
  const gitdir = gitFileTarget(root);
  if (gitdir) protect(gitdir);
  const hooks = configuredHooksDir(root);
  if (hooks) {
    try {
      if (statSync(hooks).isDirectory()) protect(realpathSync(hooks));
    } catch {
      // no hooks directory: nothing to protect
    }
  }
  const placeholders: string[] = [];
  if (opts.placeholders) {
    for (const name of PLACEHOLDERS) {
      const abs = path.join(root, name);
      try {
        lstatSync(abs);
        continue; // exists (a symlink is left alone: mounting over it would follow it)
      } catch {
        // absent: make the mount point
      }
      mkdirSync(abs, { mode: 0o755 });
      if (process.getuid?.() === 0) chownSync(abs, st.uid, st.gid);
      placeholders.push(abs);
      protect(abs);
    }
  }
  for (const abs of protectedPaths) {
    mounts.push({ Type: 'bind', Source: abs, Target: path.posix.join(workdir, path.relative(root, abs).split(path.sep).join('/')), ReadOnly: true });
  }
  return { root, mounts, placeholders };
}

/** `uid:gid` of the folder's owner: generated images run the app as that user. */
export function ownerOf(dir: string): string {
  const st = statSync(dir);
  return `${st.uid}:${st.gid}`;
}

/** Removes the placeholder mount points that are still empty (the container is gone). */
export function removePlaceholders(placeholders: readonly string[]): void {
  for (const p of placeholders) {
    try {
      rmdirSync(p);
    } catch {
      // not empty (the user put something there meanwhile) or already gone: leave it
    }
  }
}
