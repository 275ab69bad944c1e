/**
 * The fix loop of one incident: ask the agent for a patch, verify it in a scratch copy (reproduce before, pass
 * after), and try again with the refusal until a patch passes or the attempts run out. Probes a model that never
 * calls a tool once, and falls back to the built-in fixer when it cannot.
 */
import type { CrashReport } from '../crash/crashReport';
import type { BudgetTracker } from '../agent/budget';
import { BuiltinFixer } from '../agent/builtinFixer';
import { runFixAgent } from '../agent/fixAgent';
import type { LlmProvider } from '../agent/llmProvider';
import { chooseAgentProvider } from '../agent/toolCallingProbe';
import { capabilityKey, type ToolCapabilityCache } from '../agent/capabilityCache';
import { AutoDevError } from '../errors';
import type { PendingPatch } from '../patch/pendingPatch';
import type { RecordedExchange, ReplayableRequest, SampledExchange } from '../replay/recordingProxy';
import type { ReproducerResult, VerificationResult } from '../replay/replayResults';
import { planReproducer, type ReproducerPlan } from '../replay/reproducer';
import type { SecretMasker } from '../privacy/secretMasker';
import type { AppImage, RuntimeSettings } from '../runtime/containerRuntime';
import type { HealConfig } from './healController';
import type { FixRecord, HealEvent } from './healEvents';
import type { HealTrigger } from './healMachine';
import type { ResourceKill } from './incidentPolicy';
import { ScratchVerifier, type ScannerLike } from './scratchVerifier';
import type { StartupTimes } from '../runtime/startupTimes';

export interface PreviousAttempt {
  summary: string;
  diff: string;
  whyRefused: string;
}

/** One crash being healed, from detection to its end (healed, failed, rejected or cancelled). */
export interface Incident {
  id: string;
  crash: CrashReport;
  firstAt: number;
  logTail: string[];
  exchange: RecordedExchange | null;
  request: ReplayableRequest | null;
  containerPort: number | null;
  /** The live app's successful exchanges when it crashed, replayed on both scratch copies (differential replay). */
  samples: SampledExchange[];
  /** Candidates verification refused, by content: the same patch again is not verified again. */
  refused: Map<string, { attempt: number; reason: string }>;
  /** Whether the app had answered through the proxy before it crashed (else the start reproduces it). */
  reachable: boolean;
  plan?: ReproducerPlan;
  verifier?: ScratchVerifier;
  attempts: number;
  previousAttempts: PreviousAttempt[];
  resourceKill?: ResourceKill;
  fix: FixRecord;
  lastVerification?: VerificationResult;
  /** Aborted by the session's dispose, or by a redeploy/stop that cancels this incident. */
  abort: AbortController;
}

/** What the fix loop needs of its session. */
export interface FixAttemptsHost {
  readonly config: HealConfig;
  readonly capabilities: ToolCapabilityCache;
  readonly image: AppImage;
  readonly settings: RuntimeSettings;
  readonly workspaceId: string;
  readonly quietMs: number;
  readonly budget: BudgetTracker;
  /** The app's measured start-ups: scratch runs wait by them and add to them. */
  readonly startup: StartupTimes;
  /** Whether the run that wrote `crash` is, or becomes, ready after it (then the crash was not at start-up). */
  survivedCrash(crash: CrashReport, signal: AbortSignal): Promise<boolean>;
  createScanner(scratchDir: string): ScannerLike;
  /** The workspace's one masker (configured keys, .env values, credentials the proxy saw, known formats). */
  readonly masker: SecretMasker;
  emit(e: HealEvent): void;
  system(text: string): void;
  fire(trigger: HealTrigger, reason?: string): void;
  /** Background work the session's dispose waits for. */
  track<T>(p: Promise<T>): Promise<T>;
}

export type FixAttemptsOutcome =
  | { kind: 'verified'; patch: PendingPatch; verification: VerificationResult }
  /** The crash did not reproduce on the unpatched copy: nothing can prove a patch, so none is applied. */
  | { kind: 'unverified'; reason: string; patch: PendingPatch; verification: VerificationResult }
  | { kind: 'failed'; reason: string; verification?: VerificationResult };

const cancelled = () => new AutoDevError('Cancelled', 'Cancelled.');

/** Runs attempts until a patch passes verification (`verified`) or the incident fails; throws Cancelled on abort. */
export async function runFixAttempts(host: FixAttemptsHost, incident: Incident): Promise<FixAttemptsOutcome> {
  const { config, image } = host;
  const signal = incident.abort.signal;
  host.fire({ name: 'fixStarted' }, `fixing ${incident.crash.type}`);
  let provider: LlmProvider = await config.provider();
  let toolMode: 'tools' | 'text-json' = 'tools';
  // A capability already known for this (base URL, model) — from an earlier probe — applies at once.
  const known = provider.id === 'builtin' ? undefined : host.capabilities.get(capabilityKey(provider));
  if (known === 'text-json') toolMode = 'text-json';
  if (known === 'none') {
    host.system(`${provider.model} cannot call tools (probed before); using the built-in fixer`);
    provider = new BuiltinFixer();
  }
  let probed = known !== undefined;
  incident.fix.provider = provider.id;
  incident.fix.model = provider.model;
  // "Crashed at start-up" is decided by the run itself (is it still up and ready after its crash?), never by whether
  // the proxy happened to announce it before the crash: on a busy machine that announcement comes late.
  if (!incident.plan && !incident.reachable && !incident.exchange && image.ports.length) incident.reachable = await host.survivedCrash(incident.crash, signal);
  incident.plan ??= planReproducer({
    crash: incident.crash,
    image,
    exchange: incident.exchange,
    request: incident.request,
    containerPort: incident.containerPort,
    replayUnsafeMethods: config.verify.replayUnsafeMethods,
    crashedAtStartup: !incident.reachable,
    samples: incident.samples,
  });
  const plan = incident.plan;
  if (plan.note) host.system(`reproducer: ${plan.description}: ${plan.note}`);
  incident.verifier ??= new ScratchVerifier({
    workspaceDir: config.workspaceDir,
    runtime: config.containerRuntime,
    image,
    settings: host.settings,
    workspaceId: host.workspaceId,
    verify: config.verify,
    createScanner: (dir) => host.createScanner(dir),
    scannerQuietMs: host.quietMs,
    mask: (t) => host.masker.maskText(t),
    signal,
    startup: host.startup,
    // Every scratch container's removal is the session's to wait for (Ctrl-C exits right after its dispose).
    track: (teardown) => void host.track(teardown),
  });
  const verifier = incident.verifier;
  if (signal.aborted) throw cancelled();
  // Reproduce on the unpatched copy while the model works: it does not depend on the patch. Its container goes away
  // in the background (tracked through the verifier's `track`): the session's teardown waits for it.
  const before = host.track(verifier.reproduceBefore(plan, incident.crash).catch(() => undefined));
  const maxAttempts = Math.max(1, config.fix.maxAttempts);
  let lastReason = 'no attempt was made';
  const startAttempt = incident.attempts;
  for (let attempt = startAttempt + 1; attempt <= startAttempt + maxAttempts; attempt++) {
    if (signal.aborted) throw cancelled();
    incident.attempts = attempt;
    incident.fix.attempts = attempt;
    host.fire({ name: 'attemptStarted' }, `attempt ${attempt} of ${startAttempt + maxAttempts}`);
    let toolCalls = 0;
    const outcome = await runFixAgent({
      workspaceDir: config.workspaceDir,
      crash: incident.crash,
      logTail: incident.logTail,
      provider,
      limits: config.fix,
      attempt,
      previousAttempts: incident.previousAttempts,
      masker: host.masker,
      budget: host.budget,
      toolMode,
      onActivity: (activity) => {
        toolCalls++;
        host.emit({ kind: 'agent/tool', activity });
      },
      // One event per request, once its actual tokens and cost are known (also when it failed).
      onRequestDone: (record) => host.emit({ kind: 'model/request', record: { ...record } }),
      signal,
    });
    if (signal.aborted) throw cancelled();
    if (outcome.budgetExceeded) return { kind: 'failed', reason: `budget reached: ${outcome.reason}. Nothing was applied.` };
    if (!outcome.patch) {
      lastReason = outcome.looping ? outcome.reason : `no patch: ${outcome.reason}`;
      incident.previousAttempts.push({ summary: outcome.reason, diff: '', whyRefused: lastReason });
      host.system(`attempt ${attempt}: ${lastReason}`);
      // A model that answered without a single tool call may not support tools: probe it once (the probe is
      // recorded like any request). Probing only then never disturbs a model that does call tools.
      if (!probed && toolCalls === 0 && !outcome.error && provider.id !== 'builtin') {
        probed = true;
        const choice = await chooseAgentProvider(provider, {
          cache: host.capabilities,
          onRequest: (record) => host.emit({ kind: 'model/request', record: { ...record } }),
          signal,
        }).catch(() => null);
        if (choice?.fallbackReason) {
          host.system(choice.fallbackReason);
          provider = choice.provider;
          incident.fix.provider = provider.id;
          incident.fix.model = provider.model;
        } else if (choice) toolMode = choice.toolMode;
      }
      continue;
    }
    const patch = outcome.patch;
    const key = candidateKey(patch);
    const seen = incident.refused.get(key);
    if (seen) {
      // The same candidate again: verification would refuse it for the same reason, so it is not run again.
      lastReason = `this patch is identical to attempt ${seen.attempt}'s, which verification refused (${seen.reason.split('\n')[0]}); it was not verified again: make a different change`;
      incident.previousAttempts.push({ summary: patch.summary, diff: patch.diff, whyRefused: lastReason });
      host.system(`attempt ${attempt}: identical to attempt ${seen.attempt}'s refused patch; not verified again`);
      continue;
    }
    host.fire({ name: 'patchWritten' }, `attempt ${attempt}: verifying in a scratch copy`);
    await before;
    const verification = await verifier.verifyPatch(plan, incident.crash, patch);
    incident.lastVerification = verification;
    host.emit({ kind: 'verify', attempt, result: verification });
    if (signal.aborted) throw cancelled();
    if (verification.unverified) {
      // Reproduction does not depend on the patch: no other attempt could be verified either.
      return { kind: 'unverified', reason: `unverified: ${verification.reproducer?.note ?? plan.note ?? `${plan.description} did not reproduce the crash`}`, patch, verification };
    }
    // Autonomous mode applies and commits on its own: a patch that masks the error is refused there, not flagged.
    const masking = verification.passed && verification.masks && config.mode === 'autonomous';
    if (verification.passed && !masking) return { kind: 'verified', patch, verification };
    lastReason = masking ? `masks the error: ${verification.masks}; fix the cause so the request gets a real answer` : refusal(verification);
    incident.fix.diff = patch.diff;
    incident.refused.set(key, { attempt, reason: lastReason });
    incident.previousAttempts.push({ summary: patch.summary, diff: patch.diff, whyRefused: lastReason });
    host.system(`attempt ${attempt} refused by verification: ${lastReason.split('\n')[0]}`);
  }
  return { kind: 'failed', reason: `no verified fix after ${maxAttempts} attempt${maxAttempts === 1 ? '' : 's'}: ${lastReason.split('\n')[0]}`, verification: incident.lastVerification };
}

/** A candidate's identity: the files it writes and their contents (the summary and wording do not matter). */
export function candidateKey(patch: PendingPatch): string {
  return [...patch.files]
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((f) => `${f.path}\0${f.patched ?? '<deleted>'}`)
    .join('\0\0');
}

/** Says why verification refused a patch, with the scratch output, for the next attempt's prompt. */
export function refusal(v: VerificationResult): string {
  const failed = v.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`);
  const tail = (v.outputTail ?? []).slice(-15).join('\n');
  return `${failed.join('; ') || 'verification failed'}${tail ? `\nOutput of the verification run:\n${tail}` : ''}`;
}

/** The reproducer result an incident ended with, for the `done` event. */
export function lastReproducer(incident: Incident, verification?: VerificationResult): ReproducerResult | undefined {
  return verification?.reproducer ?? incident.lastVerification?.reproducer;
}
