/**
 * `autodev heal DIR`: the whole heal loop headless. Exit 0 at the first HEALED (committed too with --commit),
 * 1 when not healed (FAILED, timeout, review required without --yes; files restored), 3 when there is nothing to
 * heal (the app exited 0, or it wants input), 2 on usage/environment errors (no Docker, build failure…), 130 after
 * Ctrl-C (containers and proxy removed, no file left half-written). `--json` always ends with a `done` event.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createProvider } from '../core/agent/providers';
import { apiKeyFromEnv, getPreset, presetForBaseUrl, presetFromEnv } from '../core/agent/presets';
import { JsonFileCapabilityCache } from '../core/agent/capabilityCache';
import type { LlmProvider, ProviderConfig } from '../core/agent/llmProvider';
import { AutoDevError } from '../core/errors';
import { SimpleGitPort } from '../core/git/simpleGitPort';
import type { HealConfig } from '../core/heal/healController';
import type { HealEvent } from '../core/heal/healEvents';
import type { CrashReport } from '../core/crash/crashReport';
import type { ReproducerResult } from '../core/replay/replayResults';
import { FsPatchApplier } from '../core/patch/fsPatchApplier';
import { lineLogger } from '../core/common/logger';
import { HealSession } from '../core/heal/healSession';
import { createSecretMasker, maskDeep, type SecretMasker } from '../core/privacy/secretMasker';
import { evidenceLines, verdictWords } from '../core/replay/evidenceText';
import { reproducedByLine } from '../core/replay/reproducer';
import type { RuntimeSettings } from '../core/runtime/containerRuntime';
import { stripAnsi } from '../core/runtime/buildProgress';
import { parseArgs, type CliIo } from './args';
import { RUNTIME_FLAGS, runtimeSettingsFromFlags, selectBaseImage } from './runtimeFlags';
import { ENGINE_FLAGS, enginesFromFlags } from './engineFlags';

export const HEAL_FLAGS = {
  provider: 'string',
  'base-url': 'string',
  model: 'string',
  ...RUNTIME_FLAGS,
  ...ENGINE_FLAGS,
  yes: 'boolean',
  'verify-seconds': 'number',
  'no-unsafe-replay': 'boolean',
  'max-attempts': 'number',
  commit: 'boolean',
  push: 'boolean',
  'git-hooks': 'boolean',
  'timeout-seconds': 'number',
  json: 'boolean',
} as const;

/** Exit status after Ctrl-C (128 + SIGINT), as `autodev run`. */
const INTERRUPT_EXIT = 130;
/** Exit status when there was nothing to heal (the app exited 0, or it wants input). */
export const NOTHING_TO_HEAL_EXIT = 3;
/** Exit status for usage and environment errors (no Docker, build failure…), as every command. */
const ENVIRONMENT_EXIT = 2;

interface Parsed {
  dir: string;
  providerConfig: ProviderConfig;
  settings: RuntimeSettings;
  autonomous: boolean;
  verifySeconds: number;
  /** Replay a crashing POST/PUT/PATCH/DELETE in the scratch copy (default; --no-unsafe-replay turns it off). */
  replayUnsafe: boolean;
  maxAttempts: number;
  commit: boolean;
  push: boolean;
  /** Run the repository's git hooks on AutoDev's commit and push (off: hooks and fsmonitor are switched off). */
  runHooks: boolean;
  timeoutSeconds?: number;
  json: boolean;
  /** The raw flags, for the engine choice (engineFlags). */
  flags: Record<string, string | boolean | number>;
}

function parse(argv: string[], io: CliIo): Parsed {
  const { positionals, flags } = parseArgs(argv, { ...HEAL_FLAGS });
  if (positionals.length !== 1) throw new AutoDevError('Usage', 'heal needs exactly one DIR');
  const dir = path.resolve(io.cwd, positionals[0]);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new AutoDevError('Usage', `${positionals[0]} is not a directory`);
  const num = (name: string, min: number): number | undefined => {
    const v = flags[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !(v >= min)) throw new AutoDevError('Usage', `--${name} needs a number ≥ ${min}`);
    return v;
  };
  const baseUrl = flags['base-url'] as string | undefined;
  const providerFlag = (flags.provider as string | undefined) ?? (baseUrl ? 'openai' : 'builtin');
  if (providerFlag !== 'builtin' && providerFlag !== 'openai') throw new AutoDevError('Usage', `--provider must be builtin or openai, not "${providerFlag}"`);
  let providerConfig: ProviderConfig;
  if (providerFlag === 'builtin') {
    if (baseUrl) throw new AutoDevError('Usage', '--base-url needs --provider openai');
    providerConfig = { kind: 'builtin' };
  } else {
    const preset = baseUrl ? presetForBaseUrl(baseUrl) : presetFromEnv(io.env);
    const url = baseUrl ?? preset?.baseUrl;
    if (!url) throw new AutoDevError('Usage', '--provider openai needs --base-url URL (or an API key env var such as OPENROUTER_API_KEY that implies one)');
    try {
      new URL(url);
    } catch {
      throw new AutoDevError('Usage', `--base-url "${url}" is not a URL`);
    }
    const presetName = preset?.name ?? 'custom';
    const apiKey = apiKeyFromEnv(io.env, presetName, url);
    if (!apiKey && getPreset(presetName)?.needsKey) {
      throw new AutoDevError('Usage', `${getPreset(presetName)!.label} needs an API key: set ${getPreset(presetName)!.keyEnv} or AUTODEV_API_KEY`);
    }
    providerConfig = { kind: 'openai', preset: presetName, baseUrl: url, model: (flags.model as string | undefined) ?? preset?.model, apiKey, timeoutMs: 60_000 };
    if (!providerConfig.model) throw new AutoDevError('Usage', '--model is needed with a custom --base-url');
  }
  const settings = runtimeSettingsFromFlags(flags, io);
  return {
    flags,
    dir,
    providerConfig,
    settings,
    autonomous: flags.yes === true,
    verifySeconds: num('verify-seconds', 0.5) ?? 10,
    replayUnsafe: flags['no-unsafe-replay'] !== true,
    maxAttempts: Math.floor(num('max-attempts', 1) ?? 3),
    commit: flags.commit === true || flags.push === true,
    push: flags.push === true,
    runHooks: flags['git-hooks'] === true,
    timeoutSeconds: num('timeout-seconds', 1),
    json: flags.json === true,
  };
}

export async function healCommand(argv: string[], io: CliIo): Promise<number> {
  const p = parse(argv, io);
  const gitPort = new SimpleGitPort({ runHooks: p.runHooks });
  if (p.commit && !(await gitPort.isRepo(p.dir))) throw new AutoDevError('Usage', `--commit needs a git repository, and ${p.dir} is not one (git init it first)`);
  const provider: LlmProvider = createProvider(p.providerConfig);
  // Events arrive masked by the session; the printers mask again what they write (errors and reasons composed here).
  const outputMasker = createSecretMasker({ workspaceDir: p.dir, secrets: p.providerConfig.apiKey ? [p.providerConfig.apiKey] : [] });
  const printer = p.json ? new JsonPrinter(io, outputMasker) : new HumanPrinter(io, outputMasker);
  let runtime: Awaited<ReturnType<typeof enginesFromFlags>>['runtime'];
  try {
    const engines = await enginesFromFlags(p.flags, io);
    runtime = engines.runtime;
    await runtime.ping();
    if (engines.builder !== runtime) await engines.builder.ping();
    p.settings = await selectBaseImage(engines.builder, p.dir, p.settings, io);
  } catch (err) {
    // Even an environment error ends the JSON stream with `done` (consumers wait for it).
    if (p.json) printer.final(stripAnsi(err instanceof Error ? err.message : String(err)), ENVIRONMENT_EXIT);
    throw err;
  }

  // Shared with `autodev fix`: today's spend and the tool-calling probe results.
  const stateDir = path.join(io.env.XDG_STATE_HOME?.trim() || path.join(io.env.HOME?.trim() || os.homedir(), '.local', 'state'), 'autodev');
  const config: HealConfig = {
    workspaceDir: p.dir,
    runtime: p.settings,
    containerRuntime: runtime,
    provider: async () => provider,
    secrets: p.providerConfig.apiKey ? [p.providerConfig.apiKey] : [],
    mode: p.autonomous ? 'autonomous' : 'review',
    verify: { windowSeconds: p.verifySeconds, replayUnsafeMethods: p.replayUnsafe },
    fix: { maxTurns: 8, maxTokens: 200_000, maxCostUsd: 0.5, dailyCostUsd: 5, timeoutMs: 60_000, maxAttempts: p.maxAttempts },
    git: { commit: p.commit, autoPush: p.push, branch: 'current', runHooks: p.runHooks },
    applier: new FsPatchApplier(),
    gitPort,
    capabilities: new JsonFileCapabilityCache(path.join(stateDir, 'tool-capabilities.json')),
    logger: lineLogger((line) => io.stderr.write(line)),
    budgetFile: path.join(stateDir, 'budget.json'),
  };
  const session = new HealSession(config);

  type Outcome = { code: number; reason: string; done?: Extract<HealEvent, { kind: 'done' }>; reproducer?: ReproducerResult };
  let finish!: (o: Outcome) => void;
  const finished = new Promise<Outcome>((r) => (finish = r));
  let committed: string | null = null;
  session.onEvent((e) => {
    printer.event(e);
    if (e.kind === 'commit') committed = e.sha;
    if (e.kind === 'done') {
      if (e.healed && p.commit && !committed) finish({ code: 1, reason: 'healed, but the commit failed (see the error above)', done: e });
      else finish({ code: e.healed ? 0 : e.nothingToHeal ? NOTHING_TO_HEAL_EXIT : 1, reason: e.reason, done: e });
    }
    if (e.kind === 'patch' && !p.autonomous) {
      printer.review(e);
      finish({ code: 1, reason: 'review required: rerun with --yes to apply the verified patch; no file was changed', reproducer: e.verification.reproducer });
    }
    if (e.kind === 'crash' && e.resourceKill) {
      finish({ code: 1, reason: `killed for memory (limit ${e.resourceKill.memoryLimitMb ?? p.settings.memoryMb} MiB): not a code bug, so it was not sent to the model; raise the memory limit` });
    }
  });

  let timer: NodeJS.Timeout | undefined;
  if (p.timeoutSeconds !== undefined) {
    timer = setTimeout(() => {
      const reason = `timeout: not healed within ${p.timeoutSeconds} s`;
      // Reaching the timeout is FAILED: the session says so (state + done event), then everything is cleaned up.
      session.giveUp(reason);
      finish({ code: 1, reason });
    }, p.timeoutSeconds * 1000);
  }
  const onAbort = () => finish({ code: INTERRUPT_EXIT, reason: 'interrupted' });
  if (io.signal.aborted) onAbort();
  io.signal.addEventListener('abort', onAbort, { once: true });

  try {
    await Promise.race([session.deploy(io.signal), finished]);
    const outcome = await finished;
    if (!outcome.done) printer.final(outcome.reason, outcome.code, outcome.reproducer);
    else if (outcome.code !== (outcome.done.healed ? 0 : outcome.done.nothingToHeal ? NOTHING_TO_HEAL_EXIT : 1)) printer.final(outcome.reason, outcome.code, outcome.done.reproducer);
    return outcome.code;
  } catch (err) {
    if (io.signal.aborted) return INTERRUPT_EXIT;
    // A failed deploy (build error, no image…) was reported as an `error` event; JSON still ends with `done`.
    if (p.json) printer.final(stripAnsi(err instanceof Error ? err.message : String(err)), ENVIRONMENT_EXIT);
    throw err;
  } finally {
    if (timer) clearTimeout(timer);
    io.signal.removeEventListener('abort', onAbort);
    // Stops the containers and the proxy and rolls back a patch that was applied but not yet proven.
    await session.dispose();
  }
}

interface Printer {
  event(e: HealEvent): void;
  review(e: Extract<HealEvent, { kind: 'patch' }>): void;
  final(reason: string, code: number, reproducer?: ReproducerResult): void;
}

/** One JSON object per line per event; every object has `kind`. */
class JsonPrinter implements Printer {
  constructor(private readonly io: CliIo, private readonly masker: SecretMasker) {}

  private write(o: Record<string, unknown>): void {
    // Masked value by value, so a marker never cuts through a JSON escape.
    this.io.stdout.write(JSON.stringify(maskDeep(o, this.masker)) + '\n');
  }

  event(e: HealEvent): void {
    switch (e.kind) {
      case 'log':
        return this.write({ kind: 'log', stream: e.line.stream, text: e.line.text, seq: e.line.seq, time: e.line.time });
      case 'model/request': {
        const { payload: _payload, ...record } = e.record;
        return this.write({ kind: e.kind, ...record, record });
      }
      case 'crash':
        return this.write({ ...crashFields(e.crash), occurrences: e.occurrences, at: e.at, ...(e.resourceKill ? { resourceKill: e.resourceKill } : {}), crash: e.crash });
      case 'crashSeen':
        // The early announcement; the `crash` event after it is final (and the one the heal acts on).
        return this.write({ ...crashFields(e.crash), kind: 'crashSeen', at: e.at });
      case 'patch':
        return this.write({ kind: 'patch', id: e.patch.id, files: e.patch.files.map((f) => f.path), summary: e.patch.summary, diff: e.patch.diff, provider: e.patch.provider, model: e.patch.model, attempt: e.patch.attempt, verification: e.verification, reproducer: e.verification.reproducer });
      case 'verify':
        return this.write({
          kind: 'verify',
          attempt: e.attempt,
          passed: e.result.passed,
          ...(e.result.unverified ? { unverified: true } : {}),
          ...(e.result.masks ? { masks: e.result.masks } : {}),
          verdict: verdictWords(e.result),
          checks: e.result.checks,
          reproducer: e.result.reproducer,
          evidence: e.result.evidence,
          outputTail: e.result.outputTail,
        });
      case 'done':
        return this.write({ ...e, ...(e.unverified ? { verdict: 'unverified' } : {}), commit: e.fix?.commit ?? null, exitCode: e.healed ? 0 : e.nothingToHeal ? NOTHING_TO_HEAL_EXIT : 1 });
      default:
        return this.write({ ...(e as Record<string, unknown>) });
    }
  }

  review(): void {
    // The patch event above carries the diff and the verification.
  }

  final(reason: string, code: number, reproducer?: ReproducerResult): void {
    this.write({ kind: 'done', healed: false, reason, exitCode: code, ...(reproducer ? { reproducer } : {}) });
  }
}

/** The summary fields of a crash event in `--json` output. */
function crashFields(crash: CrashReport): Record<string, unknown> {
  return {
    kind: 'crash',
    type: crash.type,
    message: crash.message,
    signature: crash.signature,
    file: crash.userFrame?.workspaceFile ?? crash.userFrame?.file ?? null,
    line: crash.userFrame?.line ?? null,
  };
}

/** Readable progress for people. */
class HumanPrinter implements Printer {
  constructor(private readonly io: CliIo, private readonly masker: SecretMasker) {}

  private out(text: string): void {
    this.io.stdout.write(this.masker.maskText(text) + '\n');
  }

  event(e: HealEvent): void {
    switch (e.kind) {
      case 'state':
        return this.out(`[autodev] ${e.state}${e.reason ? ` — ${e.reason}` : ''}`);
      case 'log':
        return this.out(e.line.stream === 'system' ? `[autodev] ${e.line.text}` : `  │ ${e.line.text}`);
      case 'build':
        // Steps and notes as they happen (the raw output stays in --json and Mission Control).
        if (e.step || e.note) this.out(`[build] ${e.text}`);
        return;
      case 'proxy':
        return this.out(`[autodev] the app is reachable through the recording proxy at ${e.url}`);
      case 'crash': {
        const where = e.crash.userFrame ? ` at ${e.crash.userFrame.workspaceFile ?? e.crash.userFrame.file}:${e.crash.userFrame.line ?? '?'}` : '';
        return this.out(`[crash] ${e.crash.type}: ${e.crash.message}${where}${e.occurrences > 1 ? ` (×${e.occurrences})` : ''}${e.resourceKill ? ' — killed for memory, not sent to the model' : ''}`);
      }
      case 'agent/tool':
        return this.out(`[agent] ${e.activity.tool} ${typeof e.activity.args === 'string' ? e.activity.args : JSON.stringify(e.activity.args).slice(0, 120)} → ${e.activity.ok ? 'ok' : 'refused'}`);
      case 'model/request': {
        const r = e.record;
        const red = Object.entries(r.redactions).map(([k, n]) => `${k}×${n}`).join(', ') || 'none';
        return this.out(`[model] ${r.provider}/${r.model}: ${r.files.map((f) => `${f.path}:${f.lines[0]}-${f.lines[1]}`).join(', ') || 'no files'}, ${r.logLines} log lines, redacted ${red}, ${r.tokens.prompt}+${r.tokens.completion} tokens, ${r.costUsd === null ? 'cost unknown' : `$${r.costUsd.toFixed(4)}`}`);
      }
      case 'budget/warn':
        return this.out(`[budget] ${e.message}`);
      case 'verify': {
        this.out(`[verify] attempt ${e.attempt}: ${verdictWords(e.result)}`);
        for (const c of e.result.checks) this.out(`  ${c.passed ? '✓' : '✗'} ${c.name}: ${c.detail}`);
        for (const l of evidenceLines(e.result)) this.out(`  ${l}`);
        return;
      }
      case 'patch':
        return this.out(`[autodev] verified patch ${e.patch.id} (${e.patch.files.map((f) => f.path).join(', ')}): ${e.patch.summary}`);
      case 'fix':
        return;
      case 'commit':
        return this.out(`[git] committed ${e.sha.slice(0, 10)}${e.branch ? ` on ${e.branch}` : ''}: ${e.message.split('\n')[0]}`);
      case 'push':
        return this.out(`[git] ${e.ok ? 'pushed' : `push failed: ${e.message}`}`);
      case 'error':
        this.io.stderr.write(this.masker.maskText(`[autodev] ${e.code}: ${e.message}`) + '\n');
        return;
      case 'done': {
        if (e.reproducer) this.out(`[autodev] ${reproducedByLine(e.reproducer)}`);
        const mttr = e.mttrMs !== undefined ? ` (MTTR ${(e.mttrMs / 1000).toFixed(1)} s)` : '';
        if (e.unverified) return this.out(`[autodev] UNVERIFIED — not healed, nothing applied or committed: ${e.reason}`);
        return this.out(e.healed ? `[autodev] HEALED${mttr}: ${e.reason}` : `[autodev] not healed: ${e.reason}`);
      }
    }
  }

  review(e: Extract<HealEvent, { kind: 'patch' }>): void {
    this.out('');
    this.out(e.patch.diff.trimEnd());
    this.out('');
    if (e.verification.reproducer) this.out(`[autodev] ${reproducedByLine(e.verification.reproducer)}`);
    this.out(`[autodev] ${verdictWords(e.verification)}`);
    for (const l of evidenceLines(e.verification)) this.out(`  ${l}`);
  }

  final(reason: string): void {
    this.out(`[autodev] ${reason}`);
  }
}
