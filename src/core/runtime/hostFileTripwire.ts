/**
 * What the app plants where the host would run it. The read-only mounts (workspaceMounts.ts) cover the host-executed
 * paths that exist at deploy time; an absent one (`.npmrc` with `node-options`, `.github/workflows/…`, a nested
 * `.gitignore` that un-ignores `.env`, `.pre-commit-config.yaml`) could still be created by the app through its
 * read-write workspace mount. The tripwire notes which host-executed paths exist when the container is created, and
 * moves any new one out of the workspace into a quarantine folder (nothing is deleted: the user can move it back),
 * reporting each: at once for a top-level name (a watch on the folder), and when the app stops for any depth.
 * While the app is not running, what appears is the user's: it joins the baseline when the app starts again.
 */
import { cpSync, lstatSync, mkdirSync, renameSync, rmSync, watch, type FSWatcher } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isHostExecutedDir, isHostExecutedFile } from '../common/hostExecutedPaths';
import { walkWorkspace } from '../common/workspaceWalk';
import type { Disposable } from '../lifecycle';

/** How long a burst of file events in the folder is let settle before the check. */
const SETTLE_MS = 50;

/** The host-executed entries below `root`, relative, `/`-separated (a host-executed folder counts as one entry). */
export function hostExecutedEntries(root: string): Set<string> {
  const found = new Set<string>();
  walkWorkspace(
    root,
    (dir, entries) => {
      for (const e of entries) {
        const hostRun = e.isDirectory() ? isHostExecutedDir(e.name) : isHostExecutedFile(e.name);
        if (hostRun) found.add(path.relative(root, path.join(dir, e.name)).split(path.sep).join('/'));
      }
    },
    (d) => !isHostExecutedDir(d.name),
  );
  return found;
}

export class HostFileTripwire implements Disposable {
  private baseline: Set<string>;
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  /** The app is not running (it exited): nothing that appears now is its doing. */
  private idle = false;

  /**
   * `report` gets one line per moved entry. `quarantineRoot`: where moved entries go (default: a folder under the
   * system temp dir, named after the workspace folder and the time).
   */
  constructor(
    private readonly root: string,
    private readonly report: (text: string) => void,
    private readonly quarantineRoot = path.join(os.tmpdir(), 'autodev-quarantine'),
  ) {
    this.baseline = hostExecutedEntries(root);
    try {
      this.watcher = watch(root, { persistent: false }, (_event, name) => {
        const base = typeof name === 'string' ? name : '';
        if (!this.idle && (isHostExecutedDir(base) || isHostExecutedFile(base))) this.soon();
      });
      this.watcher.on('error', () => this.stopWatching());
    } catch {
      this.watcher = null; // no watch on this file system: the checks at exit and removal still run
    }
  }

  /** The app stopped on its own: what it left is checked, and what appears from now on is the user's. */
  appExited(): void {
    this.check();
    this.idle = true;
  }

  /**
   * The app is about to start again: after an exit, what appeared meanwhile is the user's and joins the baseline;
   * when it was running until now (a restart), what it made is checked first.
   */
  appRestarting(): void {
    if (this.idle) this.baseline = hostExecutedEntries(this.root);
    else this.check();
    this.idle = false;
  }

  /** The container is gone: a last check if the app was running until then, and no more watching. */
  containerRemoved(): void {
    if (!this.idle) this.check();
    this.dispose();
  }

  /** Moves every host-executed entry that was not there at the start into quarantine; returns their paths. */
  check(): string[] {
    if (this.disposed || this.idle) return [];
    const planted = [...hostExecutedEntries(this.root)].filter((rel) => !this.baseline.has(rel));
    if (!planted.length) return [];
    const dest = path.join(this.quarantineRoot, `${path.basename(this.root)}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    const moved: string[] = [];
    for (const rel of planted) {
      const from = path.join(this.root, ...rel.split('/'));
      const to = path.join(dest, ...rel.split('/'));
      try {
        lstatSync(from);
      } catch {
        continue; // gone again meanwhile
      }
      try {
        move(from, to);
        moved.push(rel);
        this.report(
          `the app created ${rel}, a path your tools on this machine run or obey (git, npm, CI, the editor): moved it out of ` +
            `the workspace to ${to}. If you made it yourself while the app ran, move it back.`,
        );
      } catch (err) {
        this.report(`the app created ${rel}, a path your tools on this machine run or obey, and it could not be moved out (${(err as Error).message}): check it before running git, npm or CI.`);
      }
    }
    return moved;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.stopWatching();
  }

  private soon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.check(), SETTLE_MS);
    this.timer.unref?.();
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = null;
  }
}

/** Moves a file or folder, across file systems too (copy, then remove); symlinks are moved as links. */
function move(from: string, to: string): void {
  mkdirSync(path.dirname(to), { recursive: true });
  try {
    renameSync(from, to);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
  }
  // cpSync throws when anything fails to copy: only then is the original removed.
  cpSync(from, to, { recursive: true, verbatimSymlinks: true, errorOnExist: true, force: false });
  rmSync(from, { recursive: true, force: true });
}
