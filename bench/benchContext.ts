/** What every benchmark part gets from the runner: sizes (full or quick), a scratch folder, a log, notes. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { BenchKey, BenchValues } from './benchResults';

export interface BenchContext {
  /** BENCH_QUICK=1: small sizes and few repetitions, for developing a measurement. */
  readonly quick: boolean;
  readonly repoRoot: string;
  /** A temp folder of this run; removed at the end. */
  readonly tmp: string;
  /** Aborted when the part runs out of time. */
  readonly signal: AbortSignal;
  /** Progress to stderr. */
  log(message: string): void;
  /** A remark kept in results/latest-meta.json (method detail, counts, why a figure is missing). */
  note(message: string): void;
  /** `full` normally, `quick` under BENCH_QUICK=1. */
  size(full: number, quick: number): number;
}

export interface BenchPart {
  name: string;
  keys: readonly BenchKey[];
  /** Needs the Docker engine; skipped with a reason when it does not answer. */
  docker: boolean;
  timeoutMs: number;
  run(ctx: BenchContext): Promise<Partial<BenchValues>>;
}

const execFileAsync = promisify(execFile);

/** Runs a command and returns its stdout (trimmed); throws with stderr on failure. */
export async function exec(cmd: string, args: string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const { stdout } = await execFileAsync(cmd, args, {
    cwd: options.cwd,
    timeout: options.timeoutMs ?? 120_000,
    env: options.env ?? process.env,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.trim();
}

/** Rejects when `signal` aborts, so a stuck wait ends with the part's timeout. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Resolves with the first value `subscribe` delivers that passes `test`, or rejects after `timeoutMs`. */
export function waitFor<T>(
  subscribe: (listener: (value: T) => void) => { dispose(): unknown },
  test: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let sub: { dispose(): unknown } | undefined;
    const finish = () => {
      done = true;
      clearTimeout(timer);
      sub?.dispose();
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    sub = subscribe((value) => {
      if (done || !test(value)) return;
      finish();
      resolve(value);
    });
    // The listener may have fired synchronously, before `sub` existed.
    if (done) sub.dispose();
  });
}
