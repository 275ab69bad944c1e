/**
 * The incident policy, pure: what an exit of the app means, how often a crash was seen, and whether a crash starts a
 * fix (or is a repeat, in cool-down, paused, a memory kill, or a failure of the patch being watched).
 */
import type { CrashReport } from '../crash/crashReport';
import { crashFromExit } from '../crash/exitCrash';
import { isStdinEof } from '../crash/needsInput';
import type { ContainerExit } from '../runtime/containerRuntime';
import { crashEvidence, lineEvidence } from './verdictEvidence';

/** After an incident ends, the same signature is only counted for this long (stops restart storms). */
export const DEFAULT_COOLDOWN_MS = 30_000;

export interface ResourceKill {
  memoryLimitMb?: number;
}

/** A crash made up from how the process ended (no trace in the log). */
export function syntheticExitCrash(type: string, message: string): CrashReport {
  return { language: 'process', type, message, frames: [], userFrame: null, signature: `${type}|${message}`, lines: [0, 0], text: message };
}

/** The system line that says how the app ended. */
export function describeExit(exit: ContainerExit, memoryMb: number): string {
  const code = exit.exitCode;
  if (exit.oomKilled) return `the app was killed for memory (limit ${exit.memoryLimitMb ?? memoryMb} MiB)`;
  return `the app exited${code !== null ? ` with code ${code}` : ''}${exit.signal ? ` (${exit.signal})` : ''}`;
}

export type ExitMeaning =
  | { kind: 'crash'; crash: CrashReport; resourceKill?: ResourceKill }
  /** Exit code 0: nothing to heal. */
  | { kind: 'clean' }
  /** No code at all (stopped): nothing to say. */
  | { kind: 'none' };

/** What an exit without a detected trace means: a memory kill, a crash the exit itself describes, or a clean end. */
export function classifyExit(exit: ContainerExit, memoryMb: number): ExitMeaning {
  const code = exit.exitCode;
  if (exit.oomKilled || (code === 137 && !exit.signal) || (code === 137 && exit.signal === 'SIGKILL')) {
    const limit = exit.memoryLimitMb ?? memoryMb;
    const crash = crashFromExit({ ...exit, oomKilled: true, memoryLimitMb: limit }) ?? syntheticExitCrash('OOMKilled', `killed for memory: limit ${limit} MiB`);
    return { kind: 'crash', crash, resourceKill: { memoryLimitMb: limit } };
  }
  const fromExit = crashFromExit(exit);
  if (fromExit) return { kind: 'crash', crash: fromExit };
  if (code !== null && code !== 0) return { kind: 'crash', crash: syntheticExitCrash('Exit', `the app exited with code ${code} without a stack trace`) };
  return code === 0 ? { kind: 'clean' } : { kind: 'none' };
}

/**
 * Why the in-place watch failed, given how the app exited after the fix (null: it did not fail). `lastLine` is the
 * last line that run wrote: the evidence a person judges the verdict by.
 */
export function watchFailureOnExit(exit: ContainerExit, lastLine?: string): string | null {
  if (exit.exitCode === 0 && !exit.oomKilled) return null;
  const what = exit.oomKilled ? 'the app was killed for memory after the fix' : `the app exited with code ${exit.exitCode} after the fix`;
  const where = exit.run !== undefined ? `run ${exit.run}` : '';
  const evidence = lastLine !== undefined ? lineEvidence(lastLine, exit.run) : where;
  return evidence ? `${what} (${lastLine !== undefined ? `last line: ${evidence}` : evidence})` : what;
}

/** Occurrences per signature and when each signature's last incident ended. */
export interface IncidentHistory {
  readonly occurrences: Map<string, number>;
  readonly endedAt: Map<string, number>;
}

export function newIncidentHistory(): IncidentHistory {
  return { occurrences: new Map(), endedAt: new Map() };
}

/** Counts one more occurrence of `signature`; returns the count. */
export function countOccurrence(history: IncidentHistory, signature: string): number {
  const n = (history.occurrences.get(signature) ?? 0) + 1;
  history.occurrences.set(signature, n);
  return n;
}

export interface CrashSituation {
  crash: CrashReport;
  at: number;
  resourceKill?: ResourceKill;
  /** The signature of the patch being watched in place, if any. */
  watching: string | null;
  /** The first run on the patched files while watching: a crash of an earlier run is not the fix's. */
  watchingRun?: number;
  /** The signature of the incident in progress, if any. */
  inProgress: string | null;
  paused: boolean;
  cooldownMs: number;
  history: IncidentHistory;
}

export type CrashDecision =
  /** The patch being watched did not hold. */
  | { action: 'failWatch'; reason: string }
  /** A late trace of the run before the fix was applied, arriving during the watch: recorded, not counted. */
  | { action: 'lateCrash'; run: number }
  /** A fix is in progress: recorded, never fixed twice in parallel (`other` when it is a different crash). */
  | { action: 'record'; other: boolean }
  /** A memory kill: not a code bug, not sent to the model unless asked. */
  | { action: 'resourceKill' }
  /** A read from the closed stdin: the app wants input, which is not a bug (never sent to the fixer). */
  | { action: 'needsInput' }
  | { action: 'coolDown' }
  | { action: 'paused' }
  | { action: 'fix' };

export function decideOnCrash(s: CrashSituation): CrashDecision {
  const sig = s.crash.signature;
  if (s.watching !== null) {
    if (s.crash.run !== undefined && s.watchingRun !== undefined && s.crash.run < s.watchingRun) return { action: 'lateCrash', run: s.crash.run };
    const evidence = crashEvidence(s.crash);
    return { action: 'failWatch', reason: sig === s.watching ? `${s.crash.type} came back after the fix: ${evidence}` : `a different crash appeared after the fix: ${s.crash.type}: ${s.crash.message} — ${evidence}` };
  }
  if (s.inProgress !== null) return { action: 'record', other: sig !== s.inProgress };
  if (s.resourceKill) return { action: 'resourceKill' };
  if (isStdinEof(s.crash)) return { action: 'needsInput' };
  const ended = s.history.endedAt.get(sig);
  if (ended !== undefined && s.at - ended < s.cooldownMs) return { action: 'coolDown' };
  if (s.paused) return { action: 'paused' };
  return { action: 'fix' };
}
