/**
 * A bounded walk of a workspace's own files: dependency folders, virtualenvs, build caches and VCS data are skipped,
 * symlinked folders are not followed, and depth and folder count are capped so a huge or hostile tree cannot stall it.
 */
import { readdirSync, type Dirent } from 'node:fs';
import * as path from 'node:path';

/** Folders that hold other people's code (dependencies, virtualenvs, build output) or a VCS's data. */
export const DEPENDENCY_DIRS: ReadonlySet<string> = new Set([
  'node_modules', 'bower_components', 'jspm_packages', 'vendor', '.venv', 'venv', 'site-packages', 'dist-packages',
  '__pycache__', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.git', '.hg', '.svn', 'target', '.gradle', 'Pods',
  '.next', '.nuxt', '.cache', '.yarn', '.pnpm-store',
]);
const MAX_DEPTH = 12;
const MAX_DIRS = 5_000;

/**
 * Calls `visit` with each folder (breadth first, the root first) and its entries. `descend` decides, for a
 * sub-folder not in DEPENDENCY_DIRS, whether to walk into it (default: yes).
 */
export function walkWorkspace(root: string, visit: (dir: string, entries: Dirent[]) => void, descend: (dir: Dirent) => boolean = () => true): void {
  const queue: { dir: string; depth: number }[] = [{ dir: root, depth: 0 }];
  let seen = 0;
  while (queue.length && seen < MAX_DIRS) {
    const { dir, depth } = queue.shift()!;
    seen++;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    visit(dir, entries);
    if (depth >= MAX_DEPTH) continue;
    for (const e of entries) {
      if (e.isDirectory() && !DEPENDENCY_DIRS.has(e.name) && descend(e)) queue.push({ dir: path.join(dir, e.name), depth: depth + 1 });
    }
  }
}
