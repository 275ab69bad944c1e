/**
 * Where a heal process leaves its proxy's recording so `autodev replay DIR` can list it: a JSON file under the OS
 * temp dir keyed by the workspace path. Written atomically (temp file + rename); holds masked exchanges only.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pidAlive } from '../common/processAlive';
import { workspaceIdOf } from '../common/workspaceId';
import type { RecordedExchange } from './recordingProxy';

export interface ReplayState {
  pid: number;
  proxyUrl: string | null;
  containerPort: number;
  updatedAt: number;
  exchanges: RecordedExchange[];
}

/** The folder that holds every workspace's replay file. */
export function replayStateDir(tmp = tmpdir()): string {
  return path.join(tmp, 'autodev', 'replay');
}

export function replayStatePath(workspaceDir: string): string {
  return path.join(replayStateDir(), `${workspaceIdOf(workspaceDir)}.json`);
}

export async function writeReplayState(workspaceDir: string, state: ReplayState): Promise<void> {
  const file = replayStatePath(workspaceDir);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state), { mode: 0o600 });
  await rename(tmp, file);
}

export async function readReplayState(workspaceDir: string): Promise<ReplayState | null> {
  return readReplayStateFile(replayStatePath(workspaceDir));
}

export async function readReplayStateFile(file: string): Promise<ReplayState | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ReplayState;
  } catch {
    return null;
  }
}

/** Removes the workspace's replay file (the session that wrote it has ended). */
export async function removeReplayState(workspaceDir: string): Promise<void> {
  await rm(replayStatePath(workspaceDir), { force: true }).catch(() => undefined);
}

/** True when the process that wrote the state is still alive. */
export function writerAlive(state: ReplayState): boolean {
  return pidAlive(state.pid);
}
