/**
 * Verifies a candidate patch in a scratch copy of the workspace with its own container (no outbound network where
 * the engine allows): first the reproducer must make the UNPATCHED copy crash (else the patch is unverified), then
 * the patched copy must pass it (no crash of that signature, no 5xx), answer the live app's earlier successful
 * requests as the unpatched copy did (differential replay) and the crashing request like its route's other answers,
 * print what the unpatched run printed before the crash, stay up (or exit 0) for the window, answer the health URL
 * and pass the verify command.
 */
import type { CrashReport } from '../crash/crashReport';
import { AutoDevError } from '../errors';
import type { PatchFile, PendingPatch } from '../patch/pendingPatch';
import { DisposableStore, toDisposable, type Disposable } from '../lifecycle';
import type { AppImage, ContainerExit, ContainerRuntime, ContainerSession, LogLine, LogStream, RuntimeSettings } from '../runtime/containerRuntime';
import { RunReadiness, type Readiness } from '../runtime/runReadiness';
import { STARTUP_FLOORS, StartupTimes } from '../runtime/startupTimes';
import { answerDifferences, judgeCrashAnswer, outputDifference } from '../replay/answerShape';
import { routeKey, type RecordedExchange } from '../replay/recordingProxy';
import { describeAnswer, describeResponse, replayRequest, type ReplayResponse, type ReproducerPlan } from '../replay/reproducer';
import type { VerifySettings } from './healController';
import type { Evidence, ReproducerResult, VerificationResult } from '../replay/replayResults';
import { abortableDelay } from '../common/abortableDelay';
import { createScratchCopy, removeScratchCopy } from './scratchCopy';
import { crashEvidence, responseEvidence } from './verdictEvidence';

/** What the verifier needs of a crash scanner (CrashScanner fits). */
export interface ScannerLike extends Disposable {
  push(text: string, stream: LogStream): void;
  onCrash(listener: (crash: CrashReport) => void): Disposable | void;
  flush(): void;
}

export interface ScratchVerifierOptions {
  workspaceDir: string;
  runtime: ContainerRuntime;
  image: AppImage;
  settings: RuntimeSettings;
  workspaceId: string;
  verify: VerifySettings;
  /** A scanner mapping the scratch copy's paths (its quiet period decides how long to wait after a replay). */
  createScanner: (scratchDir: string) => ScannerLike;
  scannerQuietMs: number;
  /** Scratch output, for the live log (tagged) and tests. */
  onLine?: (line: LogLine) => void;
  /** Masks secrets in the output kept for the verification result (the replayed request carries real credentials). */
  mask?: (text: string) => string;
  signal?: AbortSignal;
  /** The app's measured start-ups (shared with the main run): every wait here scales with it, and each scratch start adds to it. */
  startup?: StartupTimes;
  /**
   * Hands each scratch teardown (container stop and removal, copy removal) to the owner that must wait for it — the
   * session's dispose. Without it a teardown still under way when the CLI exits on Ctrl-C is never finished.
   */
  track?: (teardown: Promise<void>) => void;
}

/** The outcome of one scratch run. */
export interface ScratchRun {
  crashes: CrashReport[];
  sameCrash: boolean;
  exit: ContainerExit | null;
  running: boolean;
  replay?: ReplayResponse;
  /** Set when the app never became reachable. */
  unreachable?: string;
  /** When (and how) the scratch app was ready; the window and the replay start there. */
  ready?: Readiness;
  health?: { ok: boolean; detail: string };
  command?: { ok: boolean; detail: string };
  tail: string[];
  /** Answers to the differential samples, in the plan's order (null: not sent, the app was gone). */
  sampleAnswers: (ReplayResponse | null)[];
  /** The app's output from the start (bounded), and the index in it where the same crash's trace began. */
  output: { stream: LogStream; text: string }[];
  crashLine?: number;
  /** ms from the start (or the replayed request, for http) to the crash. */
  crashAfterMs?: number;
}

const TAIL_LINES = 40;
/** Replays of a request that got no answer while the app kept running without a crash (it was still starting). */
const REPLAY_TRIES = 3;
const OUTPUT_LINES = 2000;
/** Lines runtimes print just before a trace, which belong to the crash rather than to the program's output. */
const TRACE_PREAMBLE = /^\s*(Exception in thread\b|Exception ignored in\b|Error in atexit\b|Unhandled exception\b|Uncaught\b)/;

export class ScratchVerifier {
  private before: { run: ScratchRun; result: ReproducerResult } | null = null;
  private readonly startup: StartupTimes;

  constructor(private readonly opts: ScratchVerifierOptions) {
    this.startup = opts.startup ?? new StartupTimes();
  }

  /** Runs the reproducer against the unpatched copy (once; later attempts reuse it). */
  async reproduceBefore(plan: ReproducerPlan, crash: CrashReport): Promise<ReproducerResult> {
    if (this.before) return this.before.result;
    if (plan.kind === 'none') {
      const result: ReproducerResult = { kind: 'none', description: plan.description, reproduced: false, note: plan.note };
      this.before = { run: emptyRun(), result };
      return result;
    }
    const run = await this.run([], plan, crash, 'before');
    let reproduced: boolean;
    let before: string;
    if (plan.kind === 'http') {
      const failed = run.replay ? run.replay.status === null || run.replay.status >= 500 : false;
      reproduced = run.sameCrash || failed;
      before = run.unreachable ? `not reachable (${run.unreachable})` : run.replay ? describeResponse(run.replay) : 'not run';
    } else {
      reproduced = run.sameCrash;
      before = run.sameCrash ? `crashed with ${crash.type}` : describeExit(run, this.windowMs);
    }
    const result: ReproducerResult = {
      kind: plan.kind,
      description: plan.description,
      before,
      reproduced,
      ...(plan.note ? { note: plan.note } : {}),
      ...(run.crashAfterMs !== undefined ? { crashAfterMs: run.crashAfterMs } : {}),
    };
    if (!reproduced) {
      result.note = `not reproducible: ${plan.description} did not reproduce the crash on the unpatched code (${before})${plan.note ? `; ${plan.note}` : ''}`;
    }
    this.before = { run, result };
    return result;
  }

  /**
   * Verifies `patch` (after `reproduceBefore`). A crash that was not reproduced leaves the patch unverified. A
   * refused patch's checks and output tail say why, for the next attempt.
   */
  async verifyPatch(plan: ReproducerPlan, crash: CrashReport, patch: PendingPatch): Promise<VerificationResult> {
    const beforeResult = await this.reproduceBefore(plan, crash);
    const checks: VerificationResult['checks'] = [];
    if (!beforeResult.reproduced) {
      checks.push({ name: 'reproduce before', passed: false, detail: beforeResult.note ?? plan.note ?? 'not reproducible' });
      return { passed: false, unverified: true, checks, reproducer: { ...beforeResult }, evidence: { samples: [] }, outputTail: this.before?.run.tail ?? [] };
    }
    checks.push({ name: 'reproduce before', passed: true, detail: `${plan.description} -> ${beforeResult.before} on the unpatched code` });
    const beforeRun = this.before!.run;
    const evidence: Evidence = { samples: [] };
    let masks: string | undefined;
    const run = await this.run(patch.files, plan, crash, 'after');
    let after: string;
    if (plan.kind === 'http') {
      const r = run.replay;
      const ok = !!r && r.status !== null && r.status < 500 && !run.sameCrash;
      after = run.unreachable ? `not reachable (${run.unreachable})` : r ? describeResponse(r) : 'not run';
      checks.push({
        name: 'replay after',
        passed: ok,
        detail: ok
          ? `${plan.description} -> ${after}`
          : run.sameCrash
            ? `${plan.description} still raises ${crash.type}: ${crashEvidence(run.crashes.find((c) => c.signature === crash.signature) ?? crash)}`
            : `${plan.description} -> ${r && !run.unreachable ? responseEvidence(r) : after} (a 5xx or no answer is not a fix, even when the error is caught)`,
      });
      // Differential replay: what worked must answer as it did on the unpatched copy.
      const samples = plan.samples ?? [];
      samples.forEach((s, i) => {
        const a = beforeRun.sampleAnswers[i];
        const b = run.sampleAnswers[i];
        // Only answers the unpatched copy gave successfully are a reference (a sample after a fatal crash is not).
        if (!a || a.status === null || a.status >= 300 || !b) return;
        // After the crashing request only the patched copy completed it: its effects may differ, list lengths with them.
        const sameData = s.exchange.id < plan.exchangeId;
        evidence.samples.push({ request: describeRequest(s.exchange), before: describeAnswer(a), after: describeAnswer(b), differences: answerDifferences(a, b, sameData) });
      });
      if (evidence.samples.length) {
        const changed = evidence.samples.filter((x) => x.differences.length);
        checks.push({
          name: 'behaviour unchanged',
          passed: changed.length === 0,
          detail: changed.length
            ? `the patch changes what worked: ${changed.map((x) => `${x.request}: ${x.differences.join(', ')}`).join('; ')}`
            : `${evidence.samples.length} earlier request${evidence.samples.length === 1 ? '' : 's'} answered as before (${[...new Set(evidence.samples.map((x) => x.request))].join(', ')})`,
        });
      }
      if (r && ok) {
        // The crashing request's own answer must look like its route's other answers, not like a default.
        const route = routeKey(plan.request.method, plan.request.url.split('?')[0]);
        const peers = samples.map((s, i) => (s.route === route ? beforeRun.sampleAnswers[i] : null)).filter((a): a is ReplayResponse => !!a);
        const verdict = judgeCrashAnswer(r, peers, plan.description);
        const beforeReplay = beforeRun.replay;
        evidence.crash = { request: plan.description, before: beforeReplay ? describeAnswer(beforeReplay) : 'not run', after: describeAnswer(r), differences: [], verdict: verdict.verdict, detail: verdict.detail };
        if (verdict.verdict === 'masks') masks = verdict.detail;
        checks.push({ name: 'answer like its route', passed: verdict.verdict !== 'refused', detail: verdict.detail });
      }
    } else {
      after = run.sameCrash ? `crashed with ${crash.type}` : describeExit(run, this.windowMs);
      // No requests: the patched run must print what the unpatched one printed before it crashed.
      if (beforeRun.crashLine !== undefined && !run.sameCrash) {
        // A trace's preamble ("Exception in thread …:") is printed before the lines the scanner counts as the trace.
        const prefix = beforeRun.output.slice(0, beforeRun.crashLine).filter((l) => !TRACE_PREAMBLE.test(l.text));
        // Per stream: stdout and stderr interleave differently from run to run, each stream's order does not.
        const of = (lines: ScratchRun['output'], stream: LogStream) => lines.filter((l) => l.stream === stream).map((l) => l.text);
        const difference = outputDifference(of(prefix, 'stdout'), of(run.output, 'stdout')) ?? outputDifference(of(prefix, 'stderr'), of(run.output, 'stderr'));
        evidence.output = { lines: prefix.length, difference };
        checks.push({ name: 'output unchanged', passed: difference === null, detail: difference ?? `the ${prefix.length} line${prefix.length === 1 ? '' : 's'} printed before the crash are printed the same` });
      }
    }
    const secs = this.opts.verify.windowSeconds;
    const same = run.crashes.find((c) => c.signature === crash.signature);
    const readyNote = run.ready?.ready ? ` after the app was ready (${(run.ready.afterMs / 1000).toFixed(1)} s: ${run.ready.how})` : '';
    checks.push({
      name: 'no recurrence',
      passed: !run.sameCrash,
      detail: run.sameCrash ? `${crash.type} came back within ${secs} s${readyNote}: ${same ? crashEvidence(same) : describeExit(run, this.windowMs)}` : `no ${crash.type} within ${secs} s${readyNote}`,
    });
    const other = run.crashes.filter((c) => c.signature !== crash.signature);
    if (other.length) checks.push({ name: 'no new crash', passed: false, detail: `a different crash appeared: ${other[0].type}: ${other[0].message} — ${crashEvidence(other[0])}` });
    const exitOk = run.running || run.exit?.exitCode === 0;
    // A crash that came back is reported once, by "no recurrence": whether the app kept running says nothing more.
    if (!run.sameCrash) checks.push({ name: 'still running or exit 0', passed: exitOk, detail: run.running ? 'still running' : describeExit(run, this.windowMs) });
    if (run.health) checks.push({ name: 'health URL', passed: run.health.ok, detail: run.health.detail });
    if (run.command) checks.push({ name: 'verify command', passed: run.command.ok, detail: run.command.detail });
    const passed = checks.every((c) => c.passed);
    const reproducer: ReproducerResult = { ...beforeResult, after };
    return { passed, checks, reproducer, evidence, ...(masks ? { masks } : {}), outputTail: run.tail };
  }

  private get windowMs(): number {
    return Math.max(0.5, this.opts.verify.windowSeconds) * 1000;
  }

  /** Starts a scratch container over a copy of the workspace with `files` overlaid, runs the reproducer, watches. */
  private async run(files: readonly PatchFile[], plan: ReproducerPlan, crash: CrashReport, phase: 'before' | 'after'): Promise<ScratchRun> {
    const o = this.opts;
    // Nothing is started once the work was cancelled: a container created now would outlive its owner's teardown.
    if (o.signal?.aborted) throw cancelled();
    const store = new DisposableStore();
    const result: ScratchRun = emptyRun();
    const dir = await createScratchCopy(o.workspaceDir, files);
    store.register(toDisposable(() => removeScratchCopy(dir)));
    try {
      if (o.signal?.aborted) throw cancelled();
      const scanner = store.register(o.createScanner(dir));
      let onSame: (() => void) | null = null;
      let clockFrom = Date.now();
      const sub = scanner.onCrash((c) => {
        result.crashes.push(c);
        if (c.signature === crash.signature) {
          if (!result.sameCrash) {
            result.crashAfterMs = Date.now() - clockFrom;
            const first = c.lines?.[0];
            if (typeof first === 'number' && first >= 1) result.crashLine = first - 1;
          }
          result.sameCrash = true;
          onSame?.();
        }
      });
      if (sub) store.register(sub);
      let exited: (() => void) | null = null;
      const isolateNetwork = o.verify.isolateScratchNetwork !== false;
      const session: ContainerSession = await o.runtime.start(o.image, { sourceDir: dir, role: 'scratch', workspaceId: o.workspaceId, settings: o.settings, isolateNetwork, signal: o.signal });
      clockFrom = Date.now();
      store.register(toDisposable(() => session.stop().catch(() => undefined)));
      store.register(
        session.onLine((line) => {
          result.tail.push(o.mask ? o.mask(line.text) : line.text);
          if (result.tail.length > TAIL_LINES) result.tail.shift();
          if (line.stream !== 'system') {
            if (result.output.length < OUTPUT_LINES) result.output.push({ stream: line.stream, text: line.text });
            scanner.push(line.text, line.stream);
          }
          o.onLine?.(line);
        }),
      );
      store.register(
        session.onExit((exit) => {
          result.exit = exit;
          scanner.flush();
          // A crash without a trace (memory kill, signal, bare non-zero exit) recurs as the same kind of exit.
          if (crash.language === 'process' && sameExit(crash, exit)) {
            if (!result.sameCrash) result.crashAfterMs = Date.now() - clockFrom;
            result.sameCrash = true;
            onSame?.();
          }
          exited?.();
        }),
      );
      const exitedP = new Promise<void>((r) => (exited = r));
      // Without a request to replay, ready is the first line: a script never opens the image's default port, and
      // waiting for it would spend the whole start-up budget before the window even began.
      const readyPort = plan.kind === 'http' ? plan.containerPort : undefined;
      const readiness = store.register(new RunReadiness(session, readyPort));
      const sameP = new Promise<void>((r) => (onSame = r));
      const windowMs = this.windowMs;

      if (plan.kind === 'http') {
        const hostPort = session.publishedPorts.get(plan.containerPort);
        const base = hostPort ? `http://127.0.0.1:${hostPort}` : null;
        const ready = base ? await this.untilReady(readiness, o.signal) : null;
        if (ready) result.ready = ready;
        // The window runs while the replays do: a patched app must stay up for it from the moment it is ready.
        const windowP = phase === 'after' ? abortableDelay(windowMs, o.signal) : null;
        if (!ready || !ready.ready) {
          result.unreachable = ready && !ready.ready ? ready.detail : 'the port is not published';
        } else {
          const settle = async () => {
            // The trace is scanned after the scanner's quiet period; give it that long (plus the log pipeline).
            await Promise.race([sameP, abortableDelay(o.scannerQuietMs + 700, o.signal)]);
            scanner.flush();
          };
          // The live app's history in order: successful samples before the crash, the crash, samples after it.
          const samples = plan.samples ?? [];
          const send = async (i: number) => {
            result.sampleAnswers[i] = result.exit ? null : await replayRequest(base!, samples[i].request, this.startup.budget(STARTUP_FLOORS.replayMs), o.signal);
          };
          let next = 0;
          for (; next < samples.length && samples[next].exchange.id < plan.exchangeId; next++) await send(next);
          for (let attempt = 1; ; attempt++) {
            clockFrom = Date.now();
            result.replay = await replayRequest(base!, plan.request, this.startup.budget(STARTUP_FLOORS.replayMs), o.signal);
            await settle();
            // No answer, yet the app neither crashed nor exited: it was still starting (a busy machine), not failing.
            const starting = result.replay.status === null && !result.sameCrash && !result.exit && !result.crashes.length && session.running;
            if (!starting || attempt >= REPLAY_TRIES || o.signal?.aborted) break;
            await abortableDelay(500 * attempt, o.signal);
          }
          for (; next < samples.length; next++) await send(next);
        }
        if (phase === 'after' && !result.unreachable) {
          await Promise.race([sameP, exitedP, windowP!]);
          if (!result.exit) await this.extraChecks(session, base, result);
        }
      } else {
        // start / command / none: the window check, from when the app is ready (first line or port), not from the
        // moment it was asked to start: on a busy machine the start alone can outlast the window.
        const ready = await this.untilReady(readiness, o.signal);
        result.ready = ready;
        await Promise.race([sameP, exitedP, abortableDelay(windowMs, o.signal)]);
        if (result.exit) await Promise.race([sameP, abortableDelay(o.scannerQuietMs + 300, o.signal)]);
        scanner.flush();
        if (phase === 'after' && !result.sameCrash && !result.exit) {
          // The port the app really listens on (found in its container), else the declared one.
          const firstPort = (o.verify.healthUrl ? await session.appPort(this.startup.budget(STARTUP_FLOORS.readyMs), o.signal).catch(() => null) : null) ?? o.image.ports[0];
          const hostPort = firstPort !== undefined ? session.publishedPorts.get(firstPort) : undefined;
          await this.extraChecks(session, hostPort ? `http://127.0.0.1:${hostPort}` : null, result);
        }
      }
      result.running = session.running && !result.exit;
      if (phase === 'after' && result.exit && (this.opts.verify.command || this.opts.verify.healthUrl)) {
        if (this.opts.verify.healthUrl && !result.health) result.health = { ok: result.exit.exitCode === 0, detail: `not checked: the app exited with code ${result.exit.exitCode}` };
        if (this.opts.verify.command && !result.command) result.command = { ok: false, detail: `not run: the app exited with code ${result.exit.exitCode} before it could run` };
      }
      return result;
    } finally {
      // The verdict is in: stopping the container and removing the copy need not delay it (its owner waits for it).
      o.track?.(store.dispose().catch(() => undefined));
    }
  }

  /** Waits for the scratch app to be ready (budget scaled from measured start-ups) and records how long it took. */
  private async untilReady(readiness: RunReadiness, signal?: AbortSignal): Promise<Readiness> {
    const ready = await readiness.wait({ timeoutMs: this.startup.budget(STARTUP_FLOORS.readyMs), signal });
    if (ready.ready) this.startup.record(ready.afterMs);
    return ready;
  }

  private async extraChecks(session: ContainerSession, base: string | null, result: ScratchRun): Promise<void> {
    const v = this.opts.verify;
    if (v.healthUrl) {
      if (!base) result.health = { ok: false, detail: 'the app publishes no port to check' };
      else {
        // The health URL names the app as the user reaches it; only its path and query are used here.
        const u = new URL(v.healthUrl, 'http://placeholder');
        const r = await replayRequest(base, { method: 'GET', url: u.pathname + u.search, headers: {}, body: Buffer.alloc(0) }, this.startup.budget(STARTUP_FLOORS.replayMs), this.opts.signal);
        const ok = r.status !== null && r.status >= 200 && r.status < 300;
        result.health = { ok, detail: `GET ${u.pathname + u.search} -> ${describeResponse(r)}` };
      }
    }
    if (v.command) {
      const r = await session.exec(['sh', '-c', v.command], { timeoutMs: 120_000 });
      result.command = { ok: r.exitCode === 0, detail: `\`${v.command}\` exited ${r.exitCode ?? 'without a code'}${r.output ? `: ${r.output.trim().split('\n').slice(-5).join(' | ')}` : ''}` };
    }
  }
}

const cancelled = () => new AutoDevError('Cancelled', 'Verification cancelled.');

function emptyRun(): ScratchRun {
  return { crashes: [], sameCrash: false, exit: null, running: false, sampleAnswers: [], tail: [], output: [] };
}

function describeRequest(x: RecordedExchange): string {
  return `${x.method} ${x.path}${x.query ? `?${x.query}` : ''}`;
}

function sameExit(crash: CrashReport, exit: ContainerExit): boolean {
  if (crash.type === 'OOMKilled') return exit.oomKilled || exit.exitCode === 137;
  if (crash.type === 'Signal') return !!exit.signal && crash.message.includes(exit.signal);
  return exit.exitCode !== null && exit.exitCode !== 0 && crash.message.includes(`code ${exit.exitCode}`);
}

function describeExit(run: ScratchRun, windowMs: number): string {
  if (!run.exit) return `ran ${Math.round(windowMs / 1000)} s without the crash`;
  if (run.exit.oomKilled) return `killed for memory`;
  if (run.exit.signal) return `killed by ${run.exit.signal}`;
  return `exited ${run.exit.exitCode}`;
}
