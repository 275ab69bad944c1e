/**
 * Applying a verified patch to the real workspace and watching the app on it in place: restart, replay the request
 * that crashed it, and wait the verify window. A patch that does not hold is rolled back byte-for-byte.
 */
import { abortableDelay } from '../common/abortableDelay';
import { toAutoDevError, type AutoDevError } from '../errors';
import type { PatchApplier } from '../patch/patchApplier';
import type { PendingPatch } from '../patch/pendingPatch';
import { describeResponse, replayRequest } from '../replay/reproducer';
import type { AppRun } from './appRun';
import type { Incident } from './fixAttempts';

/** The in-place watch after a patch was applied: crashes and exits of the app report to it. */
export interface Watch {
  signature: string;
  fail: (reason: string) => void;
}

export interface ApplyHost {
  readonly workspaceDir: string;
  readonly applier: PatchApplier;
  readonly run: AppRun;
  readonly windowSeconds: number;
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

/** After `applyPatch` put the files in place: watches, and rolls back when the app does not hold. */
export async function watchOrRollBack(host: ApplyHost, incident: Incident, patch: PendingPatch): Promise<ApplyOutcome> {
  const failure = await watchInPlace(host, incident);
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
async function watchInPlace(host: ApplyHost, incident: Incident): Promise<string | null> {
  const run = host.run;
  const main = run.main;
  if (!main) return null;
  const signal = incident.abort.signal;
  let failure: string | null = null;
  let wake!: () => void;
  const woke = new Promise<void>((r) => (wake = r));
  host.setWatch({
    signature: incident.crash.signature,
    fail: (reason) => {
      failure ??= reason;
      wake();
    },
  });
  try {
    await run.restart();
    const plan = incident.plan;
    const windowMs = Math.max(0.5, host.windowSeconds) * 1000;
    if (plan?.kind === 'http') {
      const hostPort = main.publishedPorts.get(plan.containerPort);
      const deadline = Date.now() + 20_000;
      let r = null as Awaited<ReturnType<typeof replayRequest>> | null;
      while (hostPort && !failure && Date.now() < deadline && !signal.aborted) {
        r = await replayRequest(`http://127.0.0.1:${hostPort}`, plan.request, 15_000, signal);
        if (r.status !== null || !main.running) break;
        await abortableDelay(200, signal);
      }
      if (!failure && r && (r.status === null || r.status >= 500)) failure = `${plan.description} -> ${describeResponse(r)} after the fix`;
    }
    if (!failure) await Promise.race([woke, abortableDelay(windowMs, signal)]);
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
