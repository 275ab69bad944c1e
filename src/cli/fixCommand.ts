/**
 * `autodev fix DIR --trace FILE`: finds the crash in a saved log, runs one fix attempt (built-in fixer or an
 * OpenAI-compatible model) and prints the proposed diff. Nothing is written to DIR. Exit 0 with a patch, 1 without,
 * 2 on usage errors.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { BudgetTracker } from '../core/agent/budget';
import { runFixAgent } from '../core/agent/fixAgent';
import type { FixLimits, LlmProvider, ProviderConfig } from '../core/agent/llmProvider';
import { apiKeyFromEnv, getPreset, presetForBaseUrl, presetFromEnv } from '../core/agent/presets';
import { createProvider } from '../core/agent/providers';
import { chooseAgentProvider } from '../core/agent/toolCallingProbe';
import { JsonFileCapabilityCache } from '../core/agent/capabilityCache';
import { createPathMapper } from '../core/crash/pathMapper';
import { scanText } from '../core/crash/scanText';
import { AutoDevError } from '../core/errors';
import { createSecretMasker, maskDeep } from '../core/privacy/secretMasker';
import type { LedgerRecord } from '../core/agent/ledger';
import { parseArgs } from './args';
import type { CliIo } from './args';

const SPEC = {
  trace: 'string',
  provider: 'string',
  'base-url': 'string',
  model: 'string',
  preset: 'string',
  crash: 'number',
  'container-workdir': 'string',
  'max-turns': 'number',
  'timeout-seconds': 'number',
  'max-cost-usd': 'number',
  'no-stream': 'boolean',
  json: 'boolean',
} as const;

/** Where the CLI keeps the daily budget and the tool-calling probe cache. */
function stateDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_STATE_HOME?.trim() || path.join(env.HOME?.trim() || homedir(), '.local', 'state');
  return path.join(base, 'autodev');
}

/** ProviderConfig from the flags and the environment (keys only from env vars). */
export function providerConfigFromFlags(flags: Record<string, string | boolean | number>, env: NodeJS.ProcessEnv, timeoutMs: number): ProviderConfig {
  const baseUrl = typeof flags['base-url'] === 'string' ? flags['base-url'] : undefined;
  const presetFlag = typeof flags.preset === 'string' ? flags.preset : undefined;
  const kind = (flags.provider as string | undefined) ?? (baseUrl || presetFlag ? 'openai' : 'builtin');
  if (kind !== 'builtin' && kind !== 'openai') throw new AutoDevError('Usage', `--provider must be builtin or openai, not "${kind}"`);
  if (kind === 'builtin') {
    if (baseUrl || presetFlag) throw new AutoDevError('Usage', '--base-url and --preset need --provider openai');
    return { kind: 'builtin' };
  }
  if (presetFlag && !getPreset(presetFlag)) throw new AutoDevError('Usage', `unknown --preset "${presetFlag}"; use openrouter, gemini, openai or ollama`);
  const preset = getPreset(presetFlag) ?? (baseUrl ? presetForBaseUrl(baseUrl) : presetFromEnv(env));
  const url = baseUrl ?? preset?.baseUrl;
  if (!url) throw new AutoDevError('Usage', '--provider openai needs --base-url URL or --preset, or an API key env var (OPENROUTER_API_KEY, GOOGLE_API_KEY, OPENAI_API_KEY) that implies one');
  const presetName = preset?.name ?? 'custom';
  const model = (typeof flags.model === 'string' ? flags.model : undefined) ?? preset?.model;
  if (!model) throw new AutoDevError('Usage', '--model is needed with a custom --base-url');
  return { kind: 'openai', preset: presetName, baseUrl: url, model, apiKey: apiKeyFromEnv(env, presetName, url), timeoutMs };
}

function ledgerLine(r: LedgerRecord): string {
  const files = r.files.map((f) => `${f.path}:${f.lines[0]}-${f.lines[1]}`).join(', ') || 'no files';
  const red = Object.entries(r.redactions)
    .map(([k, n]) => `${k}×${n}`)
    .join(', ');
  const cost = r.costUsd === null ? 'cost unknown' : `$${r.costUsd.toFixed(5)}`;
  return `[agent] sent to ${r.model}: ${files}; ${r.logLines} log lines; redacted ${red || 'nothing'}; ${r.tokens.prompt}+${r.tokens.completion} tokens; ${cost}\n`;
}

export async function fixCommand(argv: string[], io: CliIo): Promise<number> {
  const { positionals, flags } = parseArgs(argv, SPEC);
  if (positionals.length !== 1) throw new AutoDevError('Usage', 'fix needs exactly one workspace directory: autodev fix DIR --trace FILE');
  const dir = path.resolve(io.cwd, positionals[0]);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new AutoDevError('Usage', `${positionals[0]} is not a directory`);
  if (typeof flags.trace !== 'string') throw new AutoDevError('Usage', 'fix needs --trace FILE (a log holding the crash)');
  const traceFile = path.resolve(io.cwd, flags.trace);
  if (!existsSync(traceFile) || !statSync(traceFile).isFile()) throw new AutoDevError('Usage', `trace file not found: ${flags.trace}`);
  const positive = (name: keyof typeof SPEC, dflt: number) => {
    const v = flags[name];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !(v > 0)) throw new AutoDevError('Usage', `--${name} needs a positive number`);
    return v;
  };
  const timeoutMs = positive('timeout-seconds', 60) * 1000;
  const limits: FixLimits = {
    maxTurns: Math.floor(positive('max-turns', 8)),
    maxTokens: 200_000,
    maxCostUsd: positive('max-cost-usd', 0.5),
    dailyCostUsd: Number(io.env.AUTODEV_DAILY_COST_USD) > 0 ? Number(io.env.AUTODEV_DAILY_COST_USD) : 5,
    timeoutMs,
  };
  const config = providerConfigFromFlags(flags, io.env, timeoutMs);
  // Everything this command prints passes through the workspace's masker (the crash text is app output).
  const masker = createSecretMasker({ workspaceDir: dir, secrets: config.apiKey ? [config.apiKey] : [] });
  const out = (text: string) => io.stdout.write(masker.maskText(text));
  const err = (text: string) => io.stderr.write(masker.maskText(text));

  const text = readFileSync(traceFile, 'utf8');
  const containerWorkdir = typeof flags['container-workdir'] === 'string' ? flags['container-workdir'] : '/app';
  const crashes = scanText(text, { pathMapper: createPathMapper({ workspaceDir: dir, containerWorkdir }) });
  if (!crashes.length) {
    err(`autodev fix: no crash found in ${flags.trace}\n`);
    return 1;
  }
  const index = Math.floor(positive('crash', 1)) - 1;
  if (index >= crashes.length) throw new AutoDevError('Usage', `--crash ${index + 1}: the log holds ${crashes.length} crash(es)`);
  const crash = crashes[index];
  const lines = text.split(/\r?\n/);
  const logTail = lines.slice(Math.max(0, crash.lines[0] - 1 - 20), crash.lines[0] - 1);
  err(`[crash] ${crash.type}: ${crash.message.split('\n')[0]}${crash.userFrame?.workspaceFile ? ` at ${crash.userFrame.workspaceFile}:${crash.userFrame.line ?? '?'}` : ''}\n`);

  let provider: LlmProvider = createProvider(config, { stream: flags['no-stream'] !== true });
  let toolMode: 'tools' | 'text-json' = 'tools';
  const state = stateDir(io.env);
  if (config.kind === 'openai') {
    const choice = await chooseAgentProvider(provider, {
      cache: new JsonFileCapabilityCache(path.join(state, 'tool-capabilities.json')),
      onRequest: (r) => err(`[agent] tool-calling probe sent to ${r.model}\n`),
      signal: io.signal,
    });
    provider = choice.provider;
    toolMode = choice.toolMode;
    if (choice.fallbackReason) err(`[agent] ${choice.fallbackReason}\n`);
    else if (toolMode === 'text-json') err(`[agent] ${config.model} writes tool calls as JSON text; using the text fallback\n`);
  }
  const budget = new BudgetTracker({
    limits: { maxCostUsd: limits.maxCostUsd, dailyCostUsd: limits.dailyCostUsd, maxTokens: limits.maxTokens },
    file: path.join(state, 'budget.json'),
    onWarn: (m) => err(`[agent] budget warning: ${m}\n`),
  });
  const outcome = await runFixAgent({
    workspaceDir: dir,
    crash,
    logTail,
    provider,
    limits,
    attempt: 1,
    previousAttempts: [],
    masker,
    budget,
    toolMode,
    onRequestDone: (r) => {
      if (provider.id !== 'builtin') err(ledgerLine(r));
    },
    onActivity: (a) => err(`[agent] ${a.tool} ${typeof a.args === 'string' ? a.args.slice(0, 80) : JSON.stringify(a.args).slice(0, 120)} → ${a.ok ? 'ok' : a.result.split('\n')[0]}\n`),
    signal: io.signal,
  });
  const cost = outcome.costUsd === null ? 'cost unknown' : `$${outcome.costUsd.toFixed(4)}`;
  if (flags.json === true) {
    // Masked value by value, so a marker never cuts through a JSON escape.
    io.stdout.write(JSON.stringify(maskDeep({ crash: { type: crash.type, message: crash.message, file: crash.userFrame?.workspaceFile ?? null, line: crash.userFrame?.line ?? null }, ...outcome }, masker)) + '\n');
  } else if (outcome.patch) {
    out(outcome.patch.diff);
  }
  if (outcome.patch) {
    err(`[agent] ${outcome.patch.summary}\n[agent] ${provider.id === 'builtin' ? 'built-in fixer' : provider.model}: ${outcome.promptTokens}+${outcome.completionTokens} tokens, ${cost}. Nothing was written; apply the diff to use it.\n`);
    return 0;
  }
  err(`autodev fix: no patch: ${outcome.reason}\n`);
  return 1;
}
