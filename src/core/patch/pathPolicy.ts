/**
 * The one path policy: which workspace paths a model's tools, the scratch overlay and the patch appliers (files,
 * VS Code) may read and write. Checked when a tool runs and again when a patch is applied, because a model (or text
 * it read) may try to leave the workspace, touch secrets, or plant what git, the editor or CI runs on the host.
 */
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { AutoDevError } from '../errors';
import { isHostExecutedDir, isHostExecutedFile } from '../common/hostExecutedPaths';
import { configuredHooksDir } from '../git/hardenedGit';

/** Credential files (any directory) the agent never touches. */
const CREDENTIAL_FILES = new Set(['.pypirc', '.netrc', '.git-credentials']);

/** Device names that alias a device on Windows, with any extension (`nul.txt`). */
const WINDOWS_DEVICES = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/;

/**
 * Why a single path segment would name a different file on another file system (or is pathspec magic), or null:
 * NTFS drops trailing dots and spaces (`.git.` is `.git`) and has streams (`x::$DATA`) and 8.3 names (`GIT~1`);
 * HFS+ ignores zero-width characters (`.g\u200cit` is `.git`); `:(glob)` is pathspec magic to git.
 */
function aliasReason(seg: string): string | null {
  if (/[.\s]$/.test(seg)) return 'a name ending in a dot or a space aliases another file on Windows';
  if (seg.includes(':')) return 'a ":" in a name is an NTFS stream or git pathspec magic';
  if (/~\d/.test(seg)) return 'a name with "~<digit>" can be a Windows short (8.3) name of another file';
  if (/[\p{Cc}\p{Cf}]/u.test(seg)) return 'control or invisible (zero-width, bidi) characters alias other names';
  if (WINDOWS_DEVICES.test(seg.toLowerCase())) return 'the name is a Windows device';
  return null;
}

function refuse(rel: string, reason: string): never {
  throw new AutoDevError('PathRefused', `refused "${rel}": ${reason}`, reason);
}

/**
 * Real path of `p`, or of its nearest existing ancestor joined with the rest (for files not yet created). A dangling
 * symlink is followed to where it points: writing through it would create its target.
 */
function realpathOrParent(p: string, depth = 0): string {
  if (depth > 40) throw new AutoDevError('PathRefused', 'too many symlinks', 'symlink loop');
  const rest: string[] = [];
  let cur = p;
  for (;;) {
    try {
      return path.join(realpathSync(cur), ...rest.reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      let link: string | null = null;
      try {
        if (lstatSync(cur).isSymbolicLink()) link = readlinkSync(cur);
      } catch {
        // does not exist at all: keep walking up
      }
      if (link !== null) return path.join(realpathOrParent(path.resolve(path.dirname(cur), link), depth + 1), ...rest.reverse());
      const parent = path.dirname(cur);
      if (parent === cur) return p;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

function isInside(root: string, p: string): boolean {
  const r = path.relative(root, p);
  return r === '' || (!r.startsWith('..' + path.sep) && r !== '..' && !path.isAbsolute(r));
}

/** Throws PathRefused when a workspace-relative path names something the agent must not touch (no I/O). */
export function checkRelativePath(rel: string): string {
  if (typeof rel !== 'string' || rel.trim() === '') refuse(String(rel), 'empty path');
  if (rel.includes('\0')) refuse(rel, 'NUL in path');
  if (path.isAbsolute(rel) || path.win32.isAbsolute(rel) || /^[a-zA-Z]:/.test(rel) || rel.startsWith('~')) {
    refuse(rel, 'absolute paths are not allowed; use a path relative to the workspace');
  }
  const norm = path.posix.normalize(rel.replace(/\\/g, '/'));
  if (norm === '..' || norm.startsWith('../')) refuse(rel, 'the path leaves the workspace');
  const segs = norm.split('/').filter((s) => s && s !== '.');
  for (const s of segs) {
    const alias = aliasReason(s);
    if (alias) refuse(rel, alias);
    // NFKC + lower case: what a case-insensitive, normalising file system (macOS, Windows) would open.
    const lower = s.normalize('NFKC').toLowerCase();
    if (isHostExecutedDir(lower)) refuse(rel, `${s}/ is off limits (git, hooks, editor, CI or AutoDev configuration run on your machine)`);
    if (lower.startsWith('.env')) refuse(rel, '.env files hold secrets and are off limits');
  }
  const base = (segs[segs.length - 1] ?? '').normalize('NFKC').toLowerCase();
  if (isHostExecutedFile(base)) refuse(rel, 'files git, hook managers, package managers, the editor or CI read on your machine are off limits');
  if (CREDENTIAL_FILES.has(base)) refuse(rel, 'credential files are off limits');
  return segs.length ? segs.join('/') : '.';
}

export interface PathUse {
  /** The path will be written (or created, or deleted): no symlink may sit in any of its components. */
  write?: boolean;
}

/** Throws unless no existing component of `abs` below `root` (nor `abs` itself) is a symlink. */
export function assertNoSymlinkComponents(root: string, abs: string, rel: string): void {
  const parts = path.relative(root, abs).split(path.sep).filter(Boolean);
  let cur = root;
  for (const part of parts) {
    cur = path.join(cur, part);
    let st;
    try {
      st = lstatSync(cur);
    } catch {
      return; // the rest does not exist yet: nothing to follow
    }
    if (st.isSymbolicLink()) refuse(rel, 'writes never go through a symlink');
  }
}

/**
 * Resolves a workspace-relative path to an absolute real path inside the workspace, or throws
 * AutoDevError('PathRefused') for absolute paths, `..` escapes, symlinks that leave the workspace (checked on real
 * paths, via the parent for files that do not exist yet), names that alias others elsewhere, `.git/`, hook
 * directories (`.husky/`, `.githooks/`, whatever core.hooksPath names), what the editor, git or CI executes,
 * `.env*`, credentials, AutoDev's own settings, and hard links (another name of a file that may be outside). For a
 * write, a symlink in any component is refused, even one that stays inside.
 */
export function resolveWorkspacePath(workspaceDir: string, rel: string, use: PathUse = {}): string {
  const clean = checkRelativePath(rel);
  const root = realpathSync(workspaceDir);
  const joined = path.resolve(root, clean);
  if (!isInside(root, joined)) refuse(rel, 'the path leaves the workspace');
  if (use.write) assertNoSymlinkComponents(root, joined, rel);
  const real = realpathOrParent(joined);
  if (!isInside(root, real)) refuse(rel, 'the path goes through a symlink that leaves the workspace');
  // The real target may itself be a denied name (a harmless-looking symlink to .env or .git/config).
  const realRel = path.relative(root, real).split(path.sep).join('/');
  if (realRel && realRel !== clean) checkRelativePath(realRel);
  const hooks = configuredHooksDir(root);
  if (hooks) {
    const realHooks = realpathOrParent(hooks);
    if (isInside(root, realHooks) && (real === realHooks || isInside(realHooks, real))) refuse(rel, 'the git hooks directory (core.hooksPath) is off limits');
  }
  let st;
  try {
    st = lstatSync(real);
  } catch {
    st = null;
  }
  if (st?.isFile() && st.nlink > 1) refuse(rel, 'the file is a hard link (another name of a file that may be outside the workspace)');
  return real;
}

/** Workspace-relative form (forward slashes) of a path already resolved by resolveWorkspacePath. */
export function toWorkspaceRelative(workspaceDir: string, abs: string): string {
  const root = realpathSync(workspaceDir);
  return path.relative(root, abs).split(path.sep).join('/') || '.';
}
