/**
 * Which workspace paths the agent may read and write. Checked when a tool runs and again when a patch is applied,
 * because a model (or text it read) may try to leave the workspace or touch secrets, VCS, editor or CI config.
 */
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { AutoDevError } from '../errors';

/** Path segments (anywhere in the path) the agent never touches. */
const DENIED_DIRS = new Set(['.git', '.vscode', '.ci', '.circleci', '.autodev']);
/** Workspace-relative paths (forward slashes) the agent never touches, with everything below them. */
const DENIED_PREFIXES = ['.github/workflows', '.github/actions', '.gitlab', '.buildkite'];
/** Exact file names (any directory) that are CI or AutoDev configuration. */
const DENIED_FILES = new Set([
  '.gitlab-ci.yml',
  '.gitlab-ci.yaml',
  '.travis.yml',
  'azure-pipelines.yml',
  'jenkinsfile',
  'bitbucket-pipelines.yml',
  '.drone.yml',
  'appveyor.yml',
  '.autodev.json',
  'autodev.json',
  '.autodevrc',
  '.gitmodules',
  '.gitattributes',
  '.npmrc',
  '.pypirc',
  '.netrc',
]);

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
    const lower = s.toLowerCase();
    if (DENIED_DIRS.has(lower)) refuse(rel, `${s}/ is off limits (version control, editor or AutoDev configuration)`);
    if (lower.startsWith('.env')) refuse(rel, '.env files hold secrets and are off limits');
  }
  const lowerNorm = segs.join('/').toLowerCase();
  for (const prefix of DENIED_PREFIXES) {
    if (lowerNorm === prefix || lowerNorm.startsWith(prefix + '/')) refuse(rel, 'CI configuration is off limits');
  }
  const base = (segs[segs.length - 1] ?? '').toLowerCase();
  if (DENIED_FILES.has(base)) refuse(rel, 'CI, credential or AutoDev configuration is off limits');
  return segs.length ? segs.join('/') : '.';
}

/**
 * Resolves a workspace-relative path to an absolute real path inside the workspace, or throws
 * AutoDevError('PathRefused') for absolute paths, `..` escapes, symlinks that leave the workspace (checked on real
 * paths, via the parent for files that do not exist yet), `.git/`, `.vscode/`, `.env*`, CI config and AutoDev's
 * own settings.
 */
export function resolveWorkspacePath(workspaceDir: string, rel: string): string {
  const clean = checkRelativePath(rel);
  const root = realpathSync(workspaceDir);
  const joined = path.resolve(root, clean);
  if (!isInside(root, joined)) refuse(rel, 'the path leaves the workspace');
  const real = realpathOrParent(joined);
  if (!isInside(root, real)) refuse(rel, 'the path goes through a symlink that leaves the workspace');
  // The real target may itself be a denied name (a harmless-looking symlink to .env or .git/config).
  const realRel = path.relative(root, real).split(path.sep).join('/');
  if (realRel && realRel !== clean) checkRelativePath(realRel);
  return real;
}

/** Workspace-relative form (forward slashes) of a path already resolved by resolveWorkspacePath. */
export function toWorkspaceRelative(workspaceDir: string, abs: string): string {
  const root = realpathSync(workspaceDir);
  return path.relative(root, abs).split(path.sep).join('/') || '.';
}
