/**
 * The incident pipeline: a crash of the app becomes an incident (incidentPolicy decides), the incident is fixed
 * (fixAttempts), reviewed, applied and watched in place (applyAndWatch), committed (git/fixCommit), and ends healed,
 * failed, rejected or cancelled. One incident at a time; a patch on disk but not proven is rolled back on teardown.
 */
import type { CrashReport } from '../crash/crashReport';
import { NEEDS_INPUT_ADVICE } from '../crash/needsInput';
import type { BudgetTracker } from '../agent/budget';
import { logFailure } from '../common/logger';
import { AutoDevError, toAutoDevError } from '../errors';
import { PendingWork } from '../lifecycle';
import { commitFix } from '../git/fixCommit';
import type { PendingPatch } from '../patch/pendingPatch';
import type { VerificationResult } from '../replay/replayResults';
import type { SecretMasker } from '../privacy/secretMasker';
import type { AppRun } from './appRun';
import { applyPatch, watchOrRollBack, type ApplyHost, type Watch } from './applyAndWatch';
import { lastReproducer, runFixAttempts, type FixAttemptsHost, type Incident } from './fixAttempts';
import type { HealConfig } from './healController';
import type { FixRecord, HealEvent } from './healEvents';
import type { HealTrigger } from './healMachine';
import { countOccurrence, decideOnCrash, newIncidentHistory, type ResourceKill } from './incidentPolicy';

/** What the pipeline needs of its session. */
export interface PipelineHost {
  readonly config: HealConfig;
  readonly run: AppRun;
  readonly masker: SecretMasker;
  readonly budget: BudgetTracker;
  readonly workspaceId: string;
  readonly quietMs: number;
  readonly cooldownMs: number;
  /** Aborted when the session is disposed. */
  readonly lifetime: AbortSignal;
  emit(e: HealEvent): void;
  system(text: string): void;
  /** Fires a trigger for the incident `incidentId`. */
  fire(trigger: HealTrigger, reason: string | undefined, incidentId: string | undefined): void;
}

interface Pending {
  incident: Incident;
  patch: PendingPatch;
  verification: VerificationResult;
}

export class IncidentPipeline {
  private readonly history = newIncidentHistory();
  /** Background work (scratch runs) that teardown must wait for, so no scratch container outlives the session. */
  private readonly background = new PendingWork();
  private incident: Incident | null = null;
  private pending: Pending | null = null;
  private applied: PendingPatch | null = null;
  private watch: Watch | null = null;
  private lastCrash: { crash: CrashReport; resourceKill?: ResourceKill; at: number } | null = null;
  private work: Promise<void> = Promise.resolve();
  private incidentSeq = 0;
  paused = false;

  constructor(private readonly host: PipelineHost) {}

  /** The id of the incident in progress (its FixRecord's id). */
  get currentId(): string | undefined {
    return this.incident?.id;
  }

  /** Resolves when the current fix/verify/apply work has settled. */
  settled(): Promise<void> {
    return this.work;
  }

  private fire(trigger: HealTrigger, reason?: string, incident = this.incident): void {
    this.host.fire(trigger, reason, incident?.id);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    return this.background.track(p);
  }

  /** Whether a patch is being watched in place. */
  get watching(): boolean {
    return this.watch !== null;
  }

  /** The first run on the patched files while watching (earlier runs' crashes and exits are not the fix's). */
  get watchRun(): number | undefined {
    return this.watch?.run;
  }

  /** Reports a failure to the in-place watch (no-op when none is running). */
  failWatch(reason: string): void {
    this.watch?.fail(reason);
  }

  onCrash(crash: CrashReport, resourceKill?: ResourceKill): void {
    if (this.host.lifetime.aborted) return;
    const { host } = this;
    const at = Date.now();
    const n = countOccurrence(this.history, crash.signature);
    // The trace is app output: the session masks it, as every event, before any consumer sees it.
    host.emit({ kind: 'crash', crash, occurrences: n, at, ...(resourceKill ? { resourceKill } : {}) });
    const decision = decideOnCrash({
      crash, at, resourceKill, paused: this.paused, cooldownMs: host.cooldownMs, history: this.history,
      watching: this.watch?.signature ?? null,
      watchingRun: this.watch?.run,
      inProgress: this.incident?.crash.signature ?? null,
    });
    if (decision.action === 'failWatch') return this.failWatch(decision.reason);
    if (decision.action === 'lateCrash') {
      host.system(`a late ${crash.type} from run ${decision.run}, before the fix was applied, is not counted against the fix`);
      return;
    }
    this.lastCrash = { crash, resourceKill, at };
    if (decision.action === 'record') {
      // Already fixing (or reviewing) something: a repeat is counted, never fixed twice in parallel.
      if (decision.other) host.system(`another crash (${crash.type}) while a fix is in progress: recorded; run Fix Now for it once this one is done`);
      return;
    }
    this.fire({ name: 'crashDetected' }, `${crash.type}: ${crash.message}`.slice(0, 200));
    if (decision.action === 'resourceKill') {
      host.system(`killed for memory: limit ${resourceKill?.memoryLimitMb ?? host.run.settings.memoryMb} MiB. This is not a code bug; raise the limit and restart, or ask the model anyway.`);
    } else if (decision.action === 'needsInput') {
      host.system(NEEDS_INPUT_ADVICE);
      host.emit({ kind: 'done', healed: false, reason: NEEDS_INPUT_ADVICE, nothingToHeal: 'needs-input' });
    } else if (decision.action === 'coolDown') {
      host.system(`the same crash (${crash.type}) came back within the cool-down; not fixing it again automatically`);
    } else if (decision.action === 'paused') {
      host.system('auto-heal is paused; run Fix Now to fix this crash');
    } else this.start(crash, at, undefined, false);
  }

  /**
   * A trace the scanner found complete, announced before its final report (which decides the incident): consumers
   * show it at once; a Python traceback may still grow into the exception it caused.
   */
  onCrashSeen(crash: CrashReport): void {
    if (this.host.lifetime.aborted) return;
    this.host.emit({ kind: 'crashSeen', crash, at: Date.now() });
  }

  /** Starts a fix for the last crash now (even when paused or in cool-down); resolves when that work settles. */
  async fixNow(): Promise<void> {
    const last = this.lastCrash;
    if (!last || this.incident) return;
    this.start(last.crash, last.at, last.resourceKill, true);
    await this.work;
  }

  private start(crash: CrashReport, at: number, resourceKill: ResourceKill | undefined, forced: boolean): void {
    const run = this.host.run;
    const { exchange, request, containerPort } = run.linkExchange(crash);
    const fix: FixRecord = {
      id: `fix-${Date.now().toString(36)}-${++this.incidentSeq}`,
      signature: crash.signature,
      crashType: crash.type,
      file: crash.userFrame?.workspaceFile ?? null,
      line: crash.userFrame?.line ?? null,
      status: 'proposed',
      summary: '',
      provider: '',
      model: '',
      attempts: 0,
      crashedAt: at,
    };
    const incident: Incident = {
      id: fix.id, crash, firstAt: at, logTail: run.logTailBefore(crash), exchange, request, containerPort,
      reachable: run.reachableThisRun, attempts: 0, previousAttempts: [], resourceKill, fix, abort: new AbortController(),
      samples: run.samples(), refused: new Map(),
    };
    this.host.lifetime.addEventListener('abort', () => incident.abort.abort(), { once: true });
    if (forced && resourceKill) this.host.system('asking the model about a memory kill, as requested');
    this.incident = incident;
    this.work = this.fix(incident).catch((err) => this.fail(incident, toAutoDevError(err).message));
  }

  private fixHost(): FixAttemptsHost {
    const { host } = this;
    const image = host.run.image;
    if (!image) throw new AutoDevError('NoAppFound', 'Nothing is deployed.');
    return {
      config: host.config, capabilities: host.config.capabilities, image, settings: host.run.settings, workspaceId: host.workspaceId,
      quietMs: host.quietMs, budget: host.budget, startup: host.run.startup,
      survivedCrash: (crash, signal) => host.run.survivedCrash(crash.run, signal),
      createScanner: (dir) => host.run.createScanner(dir),
      masker: host.masker,
      emit: (e) => host.emit(e),
      system: (t) => host.system(t),
      fire: (t, reason) => this.fire(t, reason),
      track: (p) => this.track(p),
    };
  }

  private async fix(incident: Incident): Promise<void> {
    const outcome = await runFixAttempts(this.fixHost(), incident);
    if (outcome.kind === 'failed') return this.fail(incident, outcome.reason, outcome.verification);
    if (outcome.kind === 'unverified') return this.unverified(incident, outcome.reason, outcome.patch, outcome.verification);
    const { patch, verification } = outcome;
    this.pending = { incident, patch, verification };
    Object.assign(incident.fix, { status: 'proposed', summary: patch.summary, diff: patch.diff, verification, provider: patch.provider || incident.fix.provider, model: patch.model || incident.fix.model });
    this.host.emit({ kind: 'fix', fix: { ...incident.fix } });
    this.fire({ name: 'patchProposed' }, 'a verified patch is ready');
    this.host.emit({ kind: 'patch', patch, verification });
    if (this.host.config.mode === 'autonomous') await this.applyPending(patch.id);
  }

  /** Review mode: applies the pending patch after the work in progress. */
  accept(patchId: string): Promise<void> {
    const run = this.work.then(() => this.applyPending(patchId));
    this.work = run.catch(() => undefined);
    return run;
  }

  reject(patchId: string): void {
    const p = this.pending;
    if (!p || p.patch.id !== patchId) throw new AutoDevError('NotFound', 'That patch is no longer pending.');
    this.pending = null;
    p.incident.fix.status = 'rejected';
    this.host.emit({ kind: 'fix', fix: { ...p.incident.fix } });
    this.fire({ name: 'patchRejected', appRunning: this.host.run.main?.running === true }, 'patch rejected');
    this.end(p.incident);
    this.host.emit({ kind: 'done', healed: false, reason: 'the patch was rejected', fix: { ...p.incident.fix }, reproducer: p.verification.reproducer });
  }

  private applyHost(): ApplyHost {
    const { host } = this;
    return {
      workspaceDir: host.config.workspaceDir, applier: host.config.applier, run: host.run, windowSeconds: host.config.verify.windowSeconds, quietMs: host.quietMs,
      isClosed: () => host.lifetime.aborted,
      setWatch: (w) => (this.watch = w),
      setApplied: (p) => (this.applied = p),
      onRollbackError: (message) => host.emit({ kind: 'error', code: 'PatchConflict', message }),
      system: (t) => host.system(t),
    };
  }

  private async applyPending(patchId: string): Promise<void> {
    const p = this.pending;
    if (!p || p.patch.id !== patchId) throw new AutoDevError('NotFound', 'That patch is no longer pending.');
    const { incident, patch, verification } = p;
    const { host } = this;
    this.pending = null;
    this.fire({ name: 'patchAccepted' }, 'applying the patch and watching the app');
    const applied = await applyPatch(this.applyHost(), incident, patch);
    if (applied.kind === 'conflict') {
      // The user changed a file while the patch was in review: never clobber, plan again from the current files.
      host.emit({ kind: 'error', code: applied.error.code, message: applied.error.message });
      incident.previousAttempts.push({ summary: patch.summary, diff: patch.diff, whyRefused: `${applied.error.message} The files changed since this patch was computed; plan again from their current content.` });
      this.fire({ name: 'patchConflicted' }, 'the files changed during review; planning again');
      return this.fix(incident);
    }
    if (applied.kind === 'failed') return this.fail(incident, applied.reason, verification);
    host.emit({ kind: 'fix', fix: { ...incident.fix } });
    const held = await watchOrRollBack(this.applyHost(), incident, patch, verification);
    if (held.kind !== 'held') return this.fail(incident, held.kind === 'failed' ? held.reason : 'the patch did not hold', verification);
    const healedAt = Date.now();
    Object.assign(incident.fix, { healedAt, mttrMs: healedAt - incident.firstAt });
    if (host.config.git.commit) await this.commit(incident, patch, verification);
    host.emit({ kind: 'fix', fix: { ...incident.fix } });
    this.fire({ name: 'watchPassed' }, `${incident.crash.type} fixed in ${Math.round((incident.fix.mttrMs ?? 0) / 100) / 10} s`);
    this.end(incident);
    host.emit({ kind: 'done', healed: true, reason: incident.fix.summary || 'healed', fix: { ...incident.fix }, reproducer: verification.reproducer, mttrMs: incident.fix.mttrMs });
  }

  private async commit(incident: Incident, patch: PendingPatch, verification: VerificationResult): Promise<void> {
    const { config } = this.host;
    const r = await commitFix(config.gitPort, { workspaceDir: config.workspaceDir, crash: incident.crash, patch, attempts: incident.attempts, verification, git: config.git, mask: (t) => this.host.masker.maskText(t) });
    if (r.commit) {
      incident.fix.commit = r.commit.sha;
      incident.fix.status = 'committed';
      this.host.emit({ kind: 'commit', ...r.commit });
    }
    if (r.push) {
      if (r.push.ok) incident.fix.status = 'pushed';
      this.host.emit({ kind: 'push', ...r.push });
    }
    if (r.error) this.host.emit({ kind: 'error', ...r.error });
  }

  private fail(incident: Incident, reason: string, verification?: VerificationResult): void {
    if (this.incident !== incident) return;
    if (this.host.lifetime.aborted) {
      this.incident = null;
      return;
    }
    if (incident.fix.status !== 'reverted') incident.fix.status = 'failed';
    incident.fix.reason = reason;
    if (verification) incident.fix.verification = verification;
    this.host.emit({ kind: 'fix', fix: { ...incident.fix } });
    this.fire({ name: 'fixFailed' }, reason);
    this.end(incident);
    const reproducer = lastReproducer(incident, verification);
    this.host.emit({ kind: 'done', healed: false, reason, fix: { ...incident.fix }, ...(reproducer ? { reproducer } : {}) });
  }

  /**
   * The crash could not be reproduced, so nothing proves the candidate: it is shown (diff and evidence) but never
   * applied, HEALED or committed. The loop ends FAILED with a reason that says "unverified".
   */
  private unverified(incident: Incident, reason: string, patch: PendingPatch, verification: VerificationResult): void {
    if (this.incident !== incident) return;
    if (this.host.lifetime.aborted) {
      this.incident = null;
      return;
    }
    Object.assign(incident.fix, { status: 'unverified', reason, summary: patch.summary, diff: patch.diff, verification, provider: patch.provider || incident.fix.provider, model: patch.model || incident.fix.model });
    this.host.emit({ kind: 'fix', fix: { ...incident.fix } });
    this.host.system(`${reason}. The candidate patch was not applied and nothing was committed.`);
    this.fire({ name: 'fixFailed' }, reason);
    this.end(incident);
    const reproducer = lastReproducer(incident, verification);
    this.host.emit({ kind: 'done', healed: false, unverified: true, reason, fix: { ...incident.fix }, ...(reproducer ? { reproducer } : {}) });
  }

  private end(incident: Incident): void {
    this.history.endedAt.set(incident.crash.signature, Date.now());
    if (this.incident === incident) this.incident = null;
  }

  /** Ends the incident in progress as FAILED (`done` follows); false when there is none. */
  giveUp(reason: string): boolean {
    const incident = this.incident;
    this.pending = null;
    if (!incident) return false;
    this.fail(incident, reason, incident.lastVerification);
    return true;
  }

  /** Cancels the fix in progress (redeploy, stop): its work stops, an applied-but-unproven patch is rolled back. */
  async cancel(reason: string): Promise<void> {
    const incident = this.incident;
    if (!incident) return;
    this.host.system(`the fix in progress was cancelled: ${reason}`);
    Object.assign(incident.fix, { status: 'failed', reason: `cancelled: ${reason}` });
    this.host.emit({ kind: 'fix', fix: { ...incident.fix } });
    // Cleared first: the aborted fix loop then ends without failing an incident that is no longer current.
    this.incident = null;
    this.pending = null;
    incident.abort.abort();
    await this.settle();
    this.fire({ name: 'fixCancelled' }, `fix cancelled: ${reason}`, incident);
  }

  /** Waits for the work and the scratch runs, then rolls back a patch on disk that was not proven. */
  async settle(): Promise<void> {
    await this.work.catch(() => undefined);
    // Until none is left: a scratch run that ends while we wait hands over its container's teardown only then.
    await this.background.settled();
    if (this.applied) await this.host.config.applier.revert(this.host.config.workspaceDir, this.applied).catch(logFailure(this.host.config.logger, 'review', 'rolling back the unproven patch'));
    this.applied = null;
  }
}
