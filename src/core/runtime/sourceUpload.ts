/**
 * The app's source on an engine that cannot see this machine's files (a remote Docker engine): the first sync
 * copies the workspace — exactly what `docker build` would receive, `.dockerignore` honoured — into the container
 * with putArchive; each later sync copies only the files whose content changed, so a verified patch reaches a
 * remote app as a few small files before the restart.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import * as tar from 'tar-fs';
import { contextIgnore } from './buildContext';

/** The part of a dockerode container the upload needs (putArchive accepts a tar stream). */
export interface ArchiveTarget {
  putArchive(file: NodeJS.ReadableStream | Buffer | string, opts: { path: string }): Promise<unknown>;
}

export interface SyncResult {
  /** Workspace-relative paths copied by this sync. */
  copied: string[];
  /** Files that were uploaded before and are gone locally: they stay in the container (a tar cannot delete). */
  removedLocally: string[];
  bytes: number;
}

export class SourceUploader {
  /** Workspace-relative path → content hash, as last copied into the container. */
  private readonly uploaded = new Map<string, string>();

  /**
   * @param dir host directory (the workspace or a scratch copy)
   * @param workdir absolute directory in the container where the app expects its source (the image's workdir)
   */
  constructor(private readonly dir: string, private readonly workdir: string) {}

  /** Copies what changed since the last sync (everything the first time) into `target`. */
  async sync(target: ArchiveTarget): Promise<SyncResult> {
    const root = path.resolve(this.dir);
    const current = await hashTree(root);
    const copied = [...current].filter(([rel, hash]) => this.uploaded.get(rel) !== hash).map(([rel]) => rel);
    const removedLocally = [...this.uploaded.keys()].filter((rel) => !current.has(rel));
    let bytes = 0;
    if (copied.length) {
      const prefix = this.workdir.replace(/^\/+|\/+$/g, '');
      const stream = tar.pack(root, {
        // tar-fs consumes the array it is given.
        entries: [...copied],
        // Extracted at the container's root with the workdir prefixed: the workdir need not exist in the image yet.
        map: (header) => ({ ...header, name: prefix ? `${prefix}/${header.name}` : header.name }),
      }) as unknown as Readable;
      stream.on('data', (c: Buffer) => (bytes += c.length));
      await target.putArchive(stream, { path: '/' });
    }
    for (const rel of copied) this.uploaded.set(rel, current.get(rel)!);
    for (const rel of removedLocally) this.uploaded.delete(rel);
    return { copied, removedLocally, bytes };
  }
}

/** sha1 of every file (and symlink target) under `root` that the build context would hold. */
export async function hashTree(root: string): Promise<Map<string, string>> {
  const ignored = await contextIgnore(root);
  const out = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const abs = path.join(dir, entry.name);
      if (ignored(abs)) continue;
      const rel = path.relative(root, abs).split(path.sep).join('/');
      if (entry.isDirectory()) await walk(abs);
      else if (entry.isSymbolicLink()) out.set(rel, 'link:' + (await fs.readlink(abs)));
      else if (entry.isFile()) {
        const stat = await fs.stat(abs);
        // The mode is part of the identity: a chmod +x must reach the container too.
        out.set(rel, createHash('sha1').update(await fs.readFile(abs)).update(String(stat.mode)).digest('hex'));
      }
    }
  };
  await walk(root);
  return out;
}
