/** Maps file paths printed in a trace (container paths, file:// URLs, host paths) to workspace-relative files. */
import * as path from 'node:path';
import { existsSync } from 'node:fs';

/** Maps one printed path to a workspace-relative path (forward slashes), or `undefined` when it maps nowhere. */
export interface PathMapper {
  toWorkspace(file: string): string | undefined;
  /** Whether a workspace-relative file exists; lets the user frame prefer files that are really there. */
  exists?(workspaceFile: string): boolean;
}

/**
 * A mapper for a workspace bind-mounted at `containerWorkdir` (default `/app`). Absolute container paths and
 * absolute host paths under the workspace map lexically; a result that leaves the workspace (`..`) is refused.
 * Relative paths (Rust `src/main.rs`, Python `app.py`) map only when the file exists, so nothing is guessed.
 */
export function createPathMapper(opts: { workspaceDir: string; containerWorkdir?: string; appDir?: string }): PathMapper {
  const workspace = path.resolve(opts.workspaceDir);
  const container = trimSlash(path.posix.normalize(opts.containerWorkdir ?? '/app'));
  // A monorepo's app folder is what the container sees at its workdir: paths under it map below `appDir`, so what
  // the agent reads, the diff and the commit stay relative to the repository root.
  const appDir = opts.appDir ? inside(opts.appDir.replace(/\\/g, '/')) ?? '' : '';
  const underApp = (rel: string | undefined): string | undefined => (rel === undefined || !appDir ? rel : inside(`${appDir}/${rel}`));
  const toRelative = (file: string): string | undefined => {
    let f = file.trim();
    if (!f) return undefined;
    if (f.startsWith('file://')) {
      try {
        f = decodeURIComponent(new URL(f).pathname);
      } catch {
        return undefined;
      }
    }
    // node:internal, <frozen runpy>, <anonymous>: never files of the workspace.
    if (f.startsWith('<') || /^[a-z][a-z0-9+.-]*:(?![\\/])/i.test(f)) return undefined;
    if (f.startsWith('/')) {
      const norm = path.posix.normalize(f);
      if (container && (norm === container || norm.startsWith(container + '/'))) {
        return underApp(inside(norm.slice(container.length + 1)));
      }
      if (container === '' ) return underApp(inside(norm.slice(1)));
    }
    if (path.isAbsolute(f)) {
      const rel = path.relative(workspace, path.resolve(f));
      if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
      return inside(rel.split(path.sep).join('/'));
    }
    const rel = inside(f.replace(/\\/g, '/'));
    if (rel === undefined) return undefined;
    // Relative to the app's working directory first (the app folder), then to the repository root.
    const inApp = underApp(rel);
    if (inApp !== undefined && existsSync(path.join(workspace, inApp))) return inApp;
    return existsSync(path.join(workspace, rel)) ? rel : undefined;
  };
  return { toWorkspace: toRelative, exists: (rel) => existsSync(path.join(workspace, rel)) };
}

function trimSlash(p: string): string {
  return p.replace(/\/+$/, '');
}

/** Normalises a relative path and refuses anything that climbs out of the root. */
function inside(rel: string): string | undefined {
  const norm = path.posix.normalize(rel.replace(/^(\.\/)+/, ''));
  if (!norm || norm === '.' || norm === '..' || norm.startsWith('../') || norm.startsWith('/')) return undefined;
  return norm;
}
