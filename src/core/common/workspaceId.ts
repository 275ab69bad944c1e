/** The one id of a workspace folder: its real path (symlinks resolved) hashed, for container labels, image tags and replay files. */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import * as path from 'node:path';

/** The folder's real path, or its resolved path when it is missing (a missing folder still gets an id). */
export function realDir(dir: string): string {
  try {
    return realpathSync(path.resolve(dir));
  } catch {
    return path.resolve(dir);
  }
}

/** 16 hex characters of sha256(real path): stable per folder, the same for every alias of it. */
export function workspaceIdOf(dir: string): string {
  return createHash('sha256').update(realDir(dir)).digest('hex').slice(0, 16);
}
