/** Crashes without a trace: a process killed by a signal or by the OOM killer. */
import type { CrashReport } from './crashReport';

const SIGNALS: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE',
  9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM', 24: 'SIGXCPU', 25: 'SIGXFSZ', 31: 'SIGSYS',
};
// A stop the user or the engine asked for (docker stop, Ctrl-C) is no crash.
const REQUESTED_STOPS = new Set(['SIGTERM', 'SIGINT', 'SIGHUP']);

/**
 * The crash an exit describes by itself: 'OOMKilled' for an OOM kill (or exit 137 with no other explanation),
 * 'Signal' for death by a signal. Null for exit 0, a requested stop, or an ordinary non-zero exit (those crash
 * with a trace, which the scanner reports).
 */
export function crashFromExit(exit: {
  exitCode: number | null;
  signal: string | null;
  oomKilled: boolean;
  memoryLimitMb?: number;
}): CrashReport | null {
  const limit = exit.memoryLimitMb ? ` at the ${exit.memoryLimitMb} MB memory limit` : '';
  if (exit.oomKilled || (exit.exitCode === 137 && !exit.signal)) {
    return processCrash('OOMKilled', `Out of memory: the process was killed${limit} (exit 137)`, '');
  }
  let signal = exit.signal;
  if (!signal && exit.exitCode !== null && exit.exitCode > 128 && exit.exitCode <= 128 + 64) {
    signal = SIGNALS[exit.exitCode - 128] ?? `signal ${exit.exitCode - 128}`;
  }
  if (!signal || REQUESTED_STOPS.has(signal)) return null;
  const code = exit.exitCode !== null ? ` (exit ${exit.exitCode})` : '';
  return processCrash('Signal', `Killed by ${signal}${code}`, signal);
}

function processCrash(type: string, message: string, detail: string): CrashReport {
  return {
    language: 'process',
    type,
    message,
    frames: [],
    userFrame: null,
    signature: `${type}|${detail}|`,
    lines: [0, 0],
  };
}
