/** Helpers for the extension-host tests: the activated AutoDev API and waiting on heal-loop states. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AutodevApi } from '../../src/vscode/autodevApi';
import type { HealEvent, HealState } from '../../src/core/heal/healEvents';

export const EXTENSION_ID = 'autodev.autodev';

export async function activateAutodev(): Promise<AutodevApi> {
  const ext = vscode.extensions.getExtension<AutodevApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this extension host`);
  return ext.isActive ? ext.exports : ext.activate();
}

/** Records every event from now on, so a test never misses a state that passed quickly. */
export class EventLog {
  readonly events: HealEvent[] = [];
  private waiters: { test: (e: HealEvent) => boolean; resolve: (e: HealEvent) => void }[] = [];

  constructor(api: AutodevApi) {
    api.onEvent((e) => {
      this.events.push(e);
      this.waiters = this.waiters.filter((w) => (w.test(e) ? (w.resolve(e), false) : true));
    });
  }

  states(): HealState[] {
    return this.events.flatMap((e) => (e.kind === 'state' ? [e.state] : []));
  }

  /** Resolves with the first event (already seen or future) that passes `test`. */
  wait<K extends HealEvent['kind']>(kind: K, test: (e: Extract<HealEvent, { kind: K }>) => boolean = () => true, timeoutMs = 150_000): Promise<Extract<HealEvent, { kind: K }>> {
    const match = (e: HealEvent): boolean => e.kind === kind && test(e as Extract<HealEvent, { kind: K }>);
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen as Extract<HealEvent, { kind: K }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${kind} event within ${timeoutMs / 1000} s; states so far: ${this.states().join(' → ')}; last events: ${this.events.slice(-8).map(describe).join(' | ')}`)), timeoutMs);
      this.waiters.push({ test: match, resolve: (e) => { clearTimeout(timer); resolve(e as Extract<HealEvent, { kind: K }>); } });
    });
  }

  waitForState(state: HealState, timeoutMs?: number): Promise<unknown> {
    return this.wait('state', (e) => e.state === state, timeoutMs);
  }
}

function describe(e: HealEvent): string {
  switch (e.kind) {
    case 'state': return `state ${e.state}${e.reason ? ` (${e.reason})` : ''}`;
    case 'log': return `log ${e.line.text.slice(0, 80)}`;
    case 'error': return `error ${e.code}: ${e.message}`;
    case 'done': return `done healed=${e.healed} ${e.reason}`;
    default: return e.kind;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value. */
export async function until<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(200);
  }
}

/**
 * A loop suite starts from a fresh copy of its example (the runner makes one per window). When the workspace is not
 * that — an earlier suite left a fix in it, a commit, an edit — the suite fails with the reason, instead of failing
 * later on a symptom ("nothing to heal") or passing on a state it did not set up.
 */
export function assertFreshExample(dir: string, example: string): void {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this extension host`);
  const source = path.join(ext.extensionPath, 'examples', example);
  const problems: string[] = [];
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(source, rel))) {
      const r = path.join(rel, name);
      if (fs.statSync(path.join(source, r)).isDirectory()) walk(r);
      else if (!fs.existsSync(path.join(dir, r))) problems.push(`${r} is missing`);
      else if (!fs.readFileSync(path.join(dir, r)).equals(fs.readFileSync(path.join(source, r)))) problems.push(`${r} differs from examples/${example}/${r} (a fix or an edit left by an earlier suite?)`);
    }
  };
  walk('');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  try {
    const commits = git('rev-list', '--count', 'HEAD');
    if (commits !== '1') problems.push(`the repository has ${commits} commits, not just the initial one (last: "${git('log', '-1', '--format=%s')}")`);
    const status = git('status', '--porcelain');
    if (status) problems.push(`uncommitted changes: ${status.split('\n').join('; ')}`);
  } catch (err) {
    problems.push(`not the git repository the runner makes: ${(err as Error).message.split('\n')[0]}`);
  }
  const dirty = vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.fsPath.startsWith(dir + path.sep));
  if (dirty.length) problems.push(`unsaved editors: ${dirty.map((d) => path.relative(dir, d.uri.fsPath)).join(', ')}`);
  if (problems.length) throw new Error(`the workspace ${dir} is not a fresh copy of examples/${example}: ${problems.join('; ')}`);
}
