/**
 * Applying a verified patch to the real workspace and watching the app on it in place: restart, wait until the
 * patched run is READY (its port answers, or its first line), replay the request that crashed it, and wait the verify
 * window from there. Only the patched run and later ones can fail the watch (a late line of the run before the restart
 * is not the fix's), waits scale with the app's measured start-up, and a failure names its evidence. A patch that
 * does not hold is rolled back byte-for-byte.
 */
import { abortableDelay } from '../common/abortableDelay';
import { toAutoDevError, type AutoDevError } from '../errors';
import type { PatchApplier } from '../patch/patchApplier';
import type { PendingPatch } from '../patch/pendingPatch';
import { replayRequest, type ReplayResponse } from '../replay/reproducer';
import { STARTUP_FLOORS } from '../runtime/startupTimes';
import type { AppRun } from './appRun';
import type { VerificationResult } from '../replay/replayResults';
import type { ReproducerPlan } from '../replay/reproducer';
import type { Incident } from './fixAttempts';
import { responseEvidence } from './verdictEvidence';

/** The in-place watch after a patch was applied: crashes and exits of the app report to it. */
export interface Watch {
  signature: string;
  /** The first run of the app on the patched files: crashes and exits of earlier runs are not the fix's. */
  run: number;
  fail: (reason: string) => void;
}

export interface ApplyHost {
  readonly workspaceDir: string;
  readonly applier: PatchApplier;
  readonly run: AppRun;
  readonly windowSeconds: number;
  /** The crash scanner's quiet period: how long a trace takes to be reported after its last line. */
  readonly quietMs: number;
  /** Whether the session was disposed (no restart after a rollback then). */
  isClosed(): boolean;
  setWatch(watch: Watch | null): void;
  /** The patch on disk but not yet proven (rolled back on dispose), or null. */
  setApplied(patch: PendingPatch | null): void;
  onRollbackError(message: string): void;
  system(text: string): void;
}

export type ApplyOutcome =
  /** The patch is on disk and the app held for the window. */
  | { kind: 'held' }
  /** A file changed during review: nothing was written. */
  | { kind: 'conflict'; error: AutoDevError }
  /** Could not apply, or the app failed on the patched files and they were restored. */
  | { kind: 'failed'; reason: string };

/** Writes the patch to the workspace through the applier (all or nothing). */
export async function applyPatch(host: ApplyHost, incident: Incident, patch: PendingPatch): Promise<ApplyOutcome> {
  try {
    await host.applier.apply(host.workspaceDir, patch);
  } catch (err) {
    const e = toAutoDevError(err);
    if (e.code === 'PatchConflict') return { kind: 'conflict', error: e };
    return { kind: 'failed', reason: `could not apply the patch: ${e.message}` };
  }
  host.setApplied(patch);
  incident.fix.status = 'applied';
  return { kind: 'held' };
}

/**
 * How long the in-place watch waits. The full verify window, unless the scratch replays already proved the fix
 * (reproduced on the unpatched copy, passed on the patched one): then only long enough to see the crash point pass
 * again — the scanner's quiet period after the replayed request, or twice the time the unpatched copy took to crash.
 */
export function inPlaceWindowMs(windowSeconds: number, quietMs: number, verification: VerificationResult | undefined, kind: ReproducerPlan['kind'] | undefined): number {
  const windowMs = Math.max(0.5, windowSeconds) * 1000;
  const r = verification?.reproducer;
  if (!verification?.passed || !r?.reproduced) return windowMs;
  if (kind === 'http') return Math.min(windowMs, quietMs + 700);
  if (r.crashAfterMs !== undefined) return Math.min(windowMs, 2 * r.crashAfterMs + quietMs + 300);
  return windowMs;
}

/** After `applyPatch` put the files in place: watches, and rolls back when the app does not hold. */
export async function watchOrRollBack(host: ApplyHost, incident: Incident, patch: PendingPatch, verification?: VerificationResult): Promise<ApplyOutcome> {
  const failure = await watchInPlace(host, incident, verification);
  if (!failure) {
    host.setApplied(null);
    return { kind: 'held' };
  }
  await host.applier.revert(host.workspaceDir, patch).catch((err) => host.onRollbackError(`rolling back failed: ${String(err)}`));
  host.setApplied(null);
  incident.fix.status = 'reverted';
  host.system(`rolled back: ${failure}`);
  if (host.run.main && !host.isClosed()) await host.run.restart().catch((err) => host.system(`restarting after the rollback failed: ${toAutoDevError(err).message}`));
  return { kind: 'failed', reason: `the fix did not hold in the workspace (${failure}); the files were restored` };
}

/** Restarts the app on the patched files and watches it; returns why it failed, or null when it held. */
async function watchInPlace(host: ApplyHost, incident: Incident, verification: VerificationResult | undefined): Promise<string | null> {
  const run = host.run;
  const main = run.main;
  if (!main) return null;
  const signal = incident.abort.signal;
  let failure: string | null = null;
  let wake!: () => void;
  const woke = new Promise<void>((r) => (wake = r));
  host.setWatch({
    signature: incident.crash.signature,
    // Set before the restart: whatever the run before it still writes is not counted against the fix.
    run: main.currentRun + 1,
    fail: (reason) => {
      failure ??= reason;
      wake();
    },
  });
  try {
    await run.restart();
    // The window starts when the patched app is ready, not when the restart was asked for: on a busy machine the
    // start alone can take longer than the window. A run replaced meanwhile (a port re-published) is waited for too.
    let ready = await run.waitReady(main.currentRun, signal);
    while (!ready.ready && ready.why === 'superseded' && !signal.aborted && !failure) ready = await run.waitReady(main.currentRun, signal);
    if (ready.ready) {
      host.system(`the patched app is ready (run ${ready.run}, ${(ready.afterMs / 1000).toFixed(1)} s after its start: ${ready.how}); watching it for ${(inPlaceWindowMs(host.windowSeconds, host.quietMs, verification, incident.plan?.kind) / 1000).toFixed(1)} s`);
    } else if (ready.why === 'timeout' && !failure) {
      const measured = run.startup.describe();
      failure = `the patched app was not ready: ${ready.detail}${measured ? ` (${measured})` : ''}`;
    }
    // An exit before it was ready is judged by the exit itself (code 0 is fine: an app that runs and ends).
    const plan = incident.plan;
    // The window runs while the request is replayed in place, not after it; shortened when the scratch replays proved the fix.
    const windowP = abortableDelay(inPlaceWindowMs(host.windowSeconds, host.quietMs, verification, plan?.kind), signal);
    if (plan?.kind === 'http' && ready.ready && !failure) {
      const r = await replayUntilAnswered(host, plan.request, plan.containerPort, ready.run, signal, () => failure !== null);
      if (!failure && r && (r.status === null || r.status >= 500)) failure = `${plan.description} -> ${responseEvidence(r)} after the fix (run ${ready.run})`;
    }
    // After a replay, at least the scanner's quiet period, so a trace printed after the answer is still seen.
    const settled = plan?.kind === 'http' ? Promise.all([windowP, abortableDelay(host.quietMs + 300, signal)]) : windowP;
    if (!failure) await Promise.race([woke, settled]);
    run.flushScanner();
    if (signal.aborted && !failure) failure = 'cancelled';
    return failure;
  } catch (err) {
    // A restart that fails (container removed, engine gone) is a failed watch: the caller rolls the files back.
    return failure ?? `the app could not be restarted on the patched files: ${toAutoDevError(err).message}`;
  } finally {
    host.setWatch(null);
  }
}

/**
 * Replays the crashing request against the ready run. No answer while that run keeps running without a crash is a
 * start still settling on a busy machine, not a verdict: asked again, within a wait scaled from measured start-ups.
 */
async function replayUntilAnswered(host: ApplyHost, request: Parameters<typeof replayRequest>[1], containerPort: number, runNo: number, signal: AbortSignal, failed: () => boolean): Promise<ReplayResponse | null> {
  const main = host.run.main;
  const hostPort = main?.publishedPorts.get(containerPort);
  if (!main || !hostPort) return null;
  const deadline = Date.now() + host.run.startup.budget(STARTUP_FLOORS.readyMs);
  let r: ReplayResponse | null = null;
  for (let attempt = 1; !failed() && !signal.aborted; attempt++) {
    r = await replayRequest(`http://127.0.0.1:${hostPort}`, request, host.run.startup.budget(STARTUP_FLOORS.replayMs), signal);
    const stillStarting = r.status === null && main.running && main.currentRun === runNo && !host.run.crashedThisRun;
    if (!stillStarting || Date.now() >= deadline) break;
    await abortableDelay(Math.min(2000, 200 * attempt), signal);
  }
  return r;
}
