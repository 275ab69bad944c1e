/** Shared set-up for the real-engine runtime tests: offline images, temp workspaces, and a leak check by label. */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { DEFAULT_RUNTIME_SETTINGS, type ContainerExit, type ContainerSession, type LogLine, type RuntimeSettings } from '../../../src/core/runtime/containerRuntime';
import { imageTagFor } from '../../../src/core/runtime/dockerRuntime';

export const TEST_SETTINGS: RuntimeSettings = {
  ...DEFAULT_RUNTIME_SETTINGS,
  pythonImage: 'autodev-offline/python:3.11',
  nodeImage: 'autodev-offline/node:20',
};

export const docker = new Docker();

export interface Watched {
  lines: LogLine[];
  exits: ContainerExit[];
  /** Resolves with the next exit not yet taken (one that already happened counts: a fast app exits early). */
  nextExit(): Promise<ContainerExit>;
  /** Resolves when a line matching `re` arrives. */
  waitForLine(re: RegExp): Promise<LogLine>;
}

export function watch(session: ContainerSession): Watched {
  const lines: LogLine[] = [];
  const exits: ContainerExit[] = [];
  let exitWaiters: Array<(e: ContainerExit) => void> = [];
  let taken = 0;
  let lineWaiters: Array<{ re: RegExp; resolve: (l: LogLine) => void }> = [];
  session.onLine((l) => {
    lines.push(l);
    lineWaiters = lineWaiters.filter((w) => (w.re.test(l.text) ? (w.resolve(l), false) : true));
  });
  session.onExit((e) => {
    exits.push(e);
    const w = exitWaiters.shift();
    if (w) {
      taken++;
      w(e);
    }
  });
  return {
    lines,
    exits,
    nextExit: () => (taken < exits.length ? Promise.resolve(exits[taken++]) : new Promise((resolve) => exitWaiters.push(resolve))),
    waitForLine: (re) => {
      const seen = lines.find((l) => re.test(l.text));
      return seen ? Promise.resolve(seen) : new Promise((resolve) => lineWaiters.push({ re, resolve }));
    },
  };
}

/** Temp workspaces, removed (with their images) by `cleanup`. */
export class Workspaces {
  private dirs: string[] = [];

  make(files: Record<string, string>): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'autodev-rt-'));
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    }
    this.dirs.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    for (const dir of this.dirs) {
      await docker.getImage(imageTagFor(dir)).remove({ force: true }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
    this.dirs = [];
  }
}

/** Sessions a test started, stopped by `stopAll` (then no container of this process may be left). */
export class Sessions {
  private started: ContainerSession[] = [];

  add<T extends ContainerSession>(session: T): T {
    this.started.push(session);
    return session;
  }

  async stopAll(): Promise<void> {
    for (const s of this.started) await s.stop();
    this.started = [];
    await assertNoLeftovers();
  }
}

/** Containers this test process created (owned by our pid, or tagged by a test) that still exist. */
export async function leftoverContainers(): Promise<string[]> {
  const mine = await docker.listContainers({ all: true, filters: { label: [`autodev.owner.pid=${process.pid}`] } });
  const tagged = await docker.listContainers({ all: true, filters: { label: [`autodev.test=${process.pid}`] } });
  return [...mine, ...tagged].map((c) => `${c.Id.slice(0, 12)} ${c.Image} ${c.State}`);
}

export async function assertNoLeftovers(): Promise<void> {
  assert.deepEqual(await leftoverContainers(), [], 'containers left behind');
}
