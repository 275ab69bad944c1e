/**
 * What an exited container tells about its end: the exit we report (code, signal, memory kill) and whether the
 * engine itself stopped it (a daemon restart without live-restore), which is not an app crash.
 */
import * as os from 'node:os';
import type Docker from 'dockerode';
import type { ContainerExit } from './containerRuntime';
import { abortableDelay } from '../common/abortableDelay';

/**
 * How often to ask an engine that does not answer again, and how often the Docker session's exit watcher looks at the
 * container beside `wait` (only matters when a connection dies).
 */
export const WAIT_POLL_MS = 1000;
/** After an exit seen around an outage, how long to wait for the engine to answer again before calling it gone. */
const ENGINE_BACK_MS = 60_000;
/** After a signal exit with no outage seen: how often and how long to look whether the engine is going down. */
const SHUTDOWN_PROBES = 4;
const SHUTDOWN_PROBE_MS = 500;
/** Clock slack when placing the container's FinishedAt inside an outage of the engine. */
const OUTAGE_SLACK_MS = 2000;

/** When the engine did not answer during a run (local clock; `to` unset while it still does not). */
export interface EngineOutage {
  from: number;
  to?: number;
}

/** The engine's live-restore setting and its clock (undefined: unreachable). */
export type EngineState = () => Promise<{ liveRestore: boolean; engineNowMs: number } | undefined>;

const delay = (ms: number) => abortableDelay(ms);

const SIGNAL_NAMES = new Map<number, string>(Object.entries(os.constants.signals).map(([name, n]) => [n, name]));

/** Maps an inspect result to the exit we report. 128+n without OOM is a signal (SIGKILL, SIGSEGV...). */
export function exitFromInspect(info: Docker.ContainerInspectInfo): ContainerExit {
  const exitCode = typeof info.State?.ExitCode === 'number' ? info.State.ExitCode : null;
  const oomKilled = !!info.State?.OOMKilled;
  const signal = !oomKilled && exitCode !== null && exitCode > 128 ? SIGNAL_NAMES.get(exitCode - 128) ?? null : null;
  const memory = info.HostConfig?.Memory ?? 0;
  return { exitCode, signal, oomKilled, ...(oomKilled && memory > 0 ? { memoryLimitMb: Math.round(memory / 1048576) } : {}) };
}


/**
 * Was this exit the engine's own doing? A daemon restart without live-restore closes its API first, then stops
 * every container: the container finished while the engine did not answer, and the engine (back again) reports
 * live-restore off. A connection that merely dropped (live-restore irrelevant) leaves the finish time outside.
 */
export async function stoppedByEngine(
  outages: EngineOutage[],
  info: Docker.ContainerInspectInfo,
  engineState: EngineState | undefined,
): Promise<boolean> {
  if (!engineState) return false;
  if (!outages.length) {
    // A daemon that is shutting down may stop its containers before its API goes away: a signal exit (SIGTERM,
    // SIGKILL, not a memory kill) followed within moments by an engine that does not answer is the engine's doing.
    const code = info.State.ExitCode ?? 0;
    if (code <= 128 || info.State.OOMKilled) return false;
    for (let i = 0; i < SHUTDOWN_PROBES && !outages.length; i++) {
      await delay(SHUTDOWN_PROBE_MS);
      // The exit came moments ago (on our clock): the outage covers it.
      if (!(await engineState())) outages.push({ from: Date.now() - 10_000 });
    }
    if (!outages.length) return false;
  }
  const deadline = Date.now() + ENGINE_BACK_MS;
  let state: { liveRestore: boolean; engineNowMs: number } | undefined;
  while (!(state = await engineState()) && Date.now() < deadline) await delay(WAIT_POLL_MS);
  if (!state || state.liveRestore) return false;
  const finishedAt = Date.parse(info.State.FinishedAt);
  if (!Number.isFinite(finishedAt)) return false;
  // The engine's clock may differ from ours (a remote host): place its finish time on our clock.
  const finished = finishedAt - (state.engineNowMs - Date.now());
  return outages.some((o) => finished >= o.from - OUTAGE_SLACK_MS && finished <= (o.to ?? Date.now()) + OUTAGE_SLACK_MS);
}
