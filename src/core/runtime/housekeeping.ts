/**
 * What AutoDev leaves behind, found and removed: its containers (never one a live AutoDev process still owns), its
 * images (the newest per workspace is kept after each build; `clean` removes them all), replay files and scratch
 * folders in the temp folder. `autodev clean` and AutoDev: Clean Up list and remove exactly these.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { isOrphan, LABEL } from './containerOwner';
import { readReplayStateFile, replayStateDir, writerAlive } from '../replay/replayStateFile';

export type LeftoverKind = 'container' | 'image' | 'replay file' | 'scratch folder';

export interface Leftover {
  kind: LeftoverKind;
  /** Container/image id, or a path. */
  id: string;
  /** One line for lists: name, size, age. */
  description: string;
}

export interface LeftoverQuery {
  /** Only what belongs to these workspaces (ids from workspaceIdFor); all of AutoDev's when absent. */
  workspaceIds?: string[];
  /** Replay files of these workspace folders (their paths are keyed by folder). */
  replayFiles?: string[];
  /** Temp folder to look in (tests pass their own). */
  tmp?: string;
}

/** A scratch folder older than this is left over (a verification run never takes that long). */
const SCRATCH_STALE_MS = 60 * 60 * 1000;

function httpStatus(err: unknown): number | undefined {
  return (err as { statusCode?: number })?.statusCode;
}

const mb = (bytes: number | undefined) => (bytes ? `${Math.round(bytes / 1048576)} MB` : '');

/** Removes this workspace's images other than `keepTag` (older builds, left untagged by a rebuild). */
export async function removeOlderImages(docker: Docker, workspaceId: string, keepTag: string): Promise<number> {
  const keep = await docker.getImage(keepTag).inspect().then((i) => i.Id, () => undefined);
  if (!keep) return 0;
  const images = await docker.listImages({ filters: { label: [`${LABEL.autodev}=1`, `${LABEL.workspace}=${workspaceId}`] } } as object);
  let removed = 0;
  for (const img of images) {
    if (img.Id === keep) continue;
    try {
      await docker.getImage(img.Id).remove({ force: false });
      removed++;
    } catch (err) {
      // 409: a container (another window's deploy) still uses it; 404: someone removed it first.
      if (httpStatus(err) !== 409 && httpStatus(err) !== 404) throw err;
    }
  }
  return removed;
}

/**
 * Removes replay files whose writer has exited (`autodev replay DIR` reads a finished heal's file until then).
 * Runs with every build, as the orphan-container cleanup does.
 */
export async function removeStaleReplayFiles(tmp = tmpdir()): Promise<number> {
  const dir = replayStateDir(tmp);
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.json')) continue;
    const state = await readReplayStateFile(path.join(dir, name));
    if (state && writerAlive(state)) continue;
    await rm(path.join(dir, name), { force: true }).catch(() => undefined);
    removed++;
  }
  return removed;
}

/** Everything AutoDev made that can go now: no container a live AutoDev process owns, no scratch folder in use. */
export async function findLeftovers(docker: Docker, query: LeftoverQuery = {}): Promise<Leftover[]> {
  const out: Leftover[] = [];
  const wanted = (labels: Record<string, string> | undefined) => !query.workspaceIds || query.workspaceIds.includes(labels?.[LABEL.workspace] ?? '');
  const containers = await docker.listContainers({ all: true, filters: { label: [`${LABEL.autodev}=1`] } });
  for (const c of containers) {
    if (!wanted(c.Labels)) continue;
    // A container of a live AutoDev process (another window, a running heal) is in use, not left over.
    if (!isOrphan(c.Labels ?? {}) && c.State === 'running') continue;
    out.push({ kind: 'container', id: c.Id, description: `container ${c.Id.slice(0, 12)} (${c.Image}, ${c.State}, role ${c.Labels?.[LABEL.role] ?? '?'})` });
  }
  const images = await docker.listImages({ filters: { label: [`${LABEL.autodev}=1`] } } as object);
  for (const img of images) {
    if (!wanted(img.Labels ?? undefined)) continue;
    const name = img.RepoTags?.find((t) => t !== '<none>:<none>') ?? `untagged ${img.Id.replace(/^sha256:/, '').slice(0, 12)}`;
    out.push({ kind: 'image', id: img.Id, description: `image ${name} (${mb(img.Size)})` });
  }
  const tmp = query.tmp ?? tmpdir();
  const replayDir = replayStateDir(tmp);
  const replayNames = await readdir(replayDir).catch(() => [] as string[]);
  const onlyFiles = query.replayFiles?.map((f) => path.resolve(f));
  for (const name of replayNames) {
    const file = path.join(replayDir, name);
    if (onlyFiles && !onlyFiles.includes(file)) continue;
    const state = await readReplayStateFile(file);
    if (state && writerAlive(state)) continue;
    out.push({ kind: 'replay file', id: file, description: `replay file ${file}` });
  }
  if (!query.workspaceIds) {
    const names = await readdir(tmp).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.startsWith('autodev-scratch-'))) {
      const dir = path.join(tmp, name);
      const s = await stat(dir).catch(() => undefined);
      if (!s?.isDirectory() || Date.now() - s.mtimeMs < SCRATCH_STALE_MS) continue;
      out.push({ kind: 'scratch folder', id: dir, description: `scratch folder ${dir}` });
    }
  }
  return out;
}

export interface CleanupResult {
  removed: Leftover[];
  failed: { item: Leftover; reason: string }[];
}

/** Removes the leftovers (containers first, so their images can go). */
export async function removeLeftovers(docker: Docker, items: readonly Leftover[]): Promise<CleanupResult> {
  const order: LeftoverKind[] = ['container', 'image', 'replay file', 'scratch folder'];
  const result: CleanupResult = { removed: [], failed: [] };
  for (const item of [...items].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind))) {
    try {
      if (item.kind === 'container') await docker.getContainer(item.id).remove({ force: true, v: true });
      else if (item.kind === 'image') await docker.getImage(item.id).remove({ force: false });
      else await rm(item.id, { recursive: true, force: true });
      result.removed.push(item);
    } catch (err) {
      if (httpStatus(err) === 404) {
        result.removed.push(item);
        continue;
      }
      const e = err as { json?: { message?: string }; message?: string };
      result.failed.push({ item, reason: e?.json?.message ?? e?.message ?? String(err) });
    }
  }
  return result;
}
