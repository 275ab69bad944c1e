/**
 * One fix attempt: the tool-calling loop between a model (or the built-in fixer) and the workspace. Edits are staged
 * in memory and returned as a PendingPatch; every request is recorded in the ledger before it is sent; spending,
 * turns and loops are capped.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { CrashReport } from '../crash/crashReport';
import { AutoDevError, isAutoDevError } from '../errors';
import type { AgentActivity, LedgerRecord } from './ledger';
import { AGENT_TOOLS, AGENT_TOOL_NAMES, AgentToolSession, MAX_FILE_BYTES, canonicalArgs, workspaceListing } from './agentTools';
import { estimateCostUsd, type BudgetTracker } from './budget';
import { SYSTEM_PROMPT, buildFirstMessage, fence, newFenceNonce, textToolInstructions } from './fixPrompt';
import type { ChatMessage, FixLimits, LlmProvider, ToolCall } from './llmProvider';
import type { PendingPatch } from '../patch/pendingPatch';
import { resolveWorkspacePath } from '../patch/pathPolicy';
import { countMasks, type SecretMasker } from '../privacy/secretMasker';
import { parseTextToolCalls } from './textToolCalls';
import { unifiedDiff } from '../patch/unifiedDiff';

export interface FixAgentOptions {
  workspaceDir: string;
  crash: CrashReport;
  /** The last log lines before the trace (at most 20 are sent). */
  logTail: string[];
  provider: LlmProvider;
  limits: FixLimits;
  attempt: number;
  previousAttempts: { summary: string; diff: string; whyRefused: string }[];
  /** The one masker (workspace .env values, configured keys, observed credentials, known formats). */
  masker: SecretMasker;
  /** Shared across attempts of an incident (and the day); a private one is made from `limits` when absent. */
  /** Spend per crash signature and per day; the caller owns it (one per session or CLI run). */
  budget: BudgetTracker;
  onActivity?: (a: AgentActivity) => void;
  /**
   * Called once per model request, before it is sent (tokens estimated); the same object is then updated. Not called
   * for the built-in fixer: nothing leaves the machine, so there is nothing to record.
   */
  onRequest?: (r: LedgerRecord) => void;
  /** Called once per model request after the answer (or failure), with actual tokens and cost filled in. */
  onRequestDone?: (r: LedgerRecord) => void;
  /**
   * autodev.privacy.confirmBeforeSend: shown the masked record (payload included) before each request; false stops
   * the attempt without sending. Absent: send without asking (the CLI never prompts).
   */
  confirmSend?: (r: LedgerRecord) => Promise<boolean>;
  /** 'text-json' for models that write tool calls as JSON text (see probeToolCalling); default 'tools'. */
  toolMode?: 'tools' | 'text-json';
  signal?: AbortSignal;
}

export interface FixOutcome {
  patch: PendingPatch | null;
  /** Why there is no patch (or what the patch does). */
  reason: string;
  promptTokens: number;
  completionTokens: number;
  /** null when the model's price is unknown ("cost unknown"). */
  costUsd: number | null;
  looping?: boolean;
  budgetExceeded?: boolean;
  /** The user declined to send a request (confirmBeforeSend). */
  declined?: boolean;
  /** Set when the provider failed (LlmTimeout, LlmError): the attempt ended without a model decision. */
  error?: { code: string; message: string };
  /** Number of model requests made. */
  turns?: number;
}

const MAX_LOG_LINES = 20;
const MAX_PAYLOAD_CHARS = 200_000;
const LOOP_REPEATS = 3;
/** Tool calls executed per reply; the rest are answered with an error (300 calls once made 150 MB requests). */
export const MAX_TOOL_CALLS_PER_REPLY = 16;
/** The longest tool-call argument (or text reply) repeated back to the model in later requests. */
export const MAX_ECHO_CHARS = 16_000;
/** Characters per request: above this, the oldest tool results are elided (and the model is told). */
export const MAX_REQUEST_CHARS = 600_000;

/** Rough token count (≈4 characters per token) for the ledger before the provider reports actual usage. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

interface Tracked {
  message: ChatMessage;
  files: { path: string; lines: [number, number] }[];
  /** A tool result that may be elided when the request grows too large. */
  elidable?: boolean;
}

/** Runs one fix attempt. Throws AutoDevError('Cancelled') when `signal` aborts; provider failures end the attempt. */
export async function runFixAgent(opts: FixAgentOptions): Promise<FixOutcome> {
  const { crash, provider, limits } = opts;
  const masker = opts.masker;
  const session = new AgentToolSession(opts.workspaceDir, masker);
  // Fresh per attempt: every data block of this conversation carries it, and no untrusted text can contain it.
  const nonce = newFenceNonce();
  const budget = opts.budget;
  const textMode = opts.toolMode === 'text-json';
  const signature = crash.signature || `${crash.type}:${crash.userFrame?.workspaceFile ?? ''}`;

  // ---- the first message: trace, implicated file, listing, logs — all redacted ----
  const file = crash.userFrame?.workspaceFile;
  let fileText: string | null = null;
  let fileNote: string | undefined;
  const firstFiles: Tracked['files'] = [];
  if (file) {
    try {
      const abs = resolveWorkspacePath(opts.workspaceDir, file);
      const st = statSync(abs);
      const size = st.size;
      if (!st.isFile()) fileNote = 'it is not a regular file';
      else if (size > MAX_FILE_BYTES) fileNote = `it is ${size} bytes, over the ${MAX_FILE_BYTES}-byte limit; read parts of it with read_file if needed`;
      else {
        const raw = readFileSync(abs, 'utf8');
        fileText = masker.maskText(raw);
        firstFiles.push({ path: file, lines: [1, Math.max(1, raw.split('\n').length - (raw.endsWith('\n') ? 1 : 0))] });
      }
    } catch (err) {
      fileNote = isAutoDevError(err, 'PathRefused') ? `the path policy refuses it (${err.message})` : `it could not be read (${(err as Error).message})`;
    }
  }
  const red = (s: string) => masker.maskText(s);
  const logTail = opts.logTail.slice(-MAX_LOG_LINES).map(red);
  const crashForPrompt: CrashReport = { ...crash, message: red(crash.message), text: crash.text === undefined ? undefined : red(crash.text) };
  const firstMessage = buildFirstMessage({
    crash: crashForPrompt,
    file,
    fileText,
    fileNote,
    listing: workspaceListing(opts.workspaceDir).map(red),
    logTail,
    previousAttempts: opts.previousAttempts.map((p) => ({ summary: red(p.summary), diff: red(p.diff), whyRefused: red(p.whyRefused) })),
    attempt: opts.attempt,
    nonce,
  });

  const system = textMode ? `${SYSTEM_PROMPT}\n\n${textToolInstructions()}` : SYSTEM_PROMPT;
  const convo: Tracked[] = [
    { message: { role: 'system', content: system }, files: [] },
    { message: { role: 'user', content: firstMessage }, files: firstFiles },
  ];

  let promptTokens = 0;
  let completionTokens = 0;
  let cost: number | null = 0;
  const loopCounts = new Map<string, number>();
  let nudged = false;
  let turns = 0;

  const outcome = (o: Omit<FixOutcome, 'promptTokens' | 'completionTokens' | 'costUsd'>): FixOutcome => ({
    ...o,
    promptTokens,
    completionTokens,
    costUsd: cost,
    turns,
  });
  const activity = (tool: string, rawArgs: string, ok: boolean, result: string) => {
    let args: Record<string, unknown> | string = rawArgs;
    try {
      const p = JSON.parse(rawArgs);
      if (p && typeof p === 'object' && !Array.isArray(p)) args = p;
    } catch {
      // keep the raw text: the activity shows what the model sent
    }
    opts.onActivity?.({ attempt: opts.attempt, tool, args, ok, result: result.split('\n').slice(0, 6).join('\n').slice(0, 400), at: Date.now() });
  };

  for (;;) {
    if (opts.signal?.aborted) throw new AutoDevError('Cancelled', 'the fix was cancelled');
    if (turns >= limits.maxTurns) {
      const staged = session.files().length;
      return outcome({
        patch: null,
        reason: `no fix: the model did not call finish within ${limits.maxTurns} turns${staged ? ` (${staged} staged file change(s) discarded)` : ''}`,
      });
    }
    const check = budget.check(signature);
    if (!check.ok) return outcome({ patch: null, budgetExceeded: true, reason: `stopped: ${check.message}; nothing was applied` });

    // ---- bound the request, record what leaves the machine, then send ----
    if (!fitRequest(convo)) {
      return outcome({ patch: null, reason: `no fix: the request would exceed ${MAX_REQUEST_CHARS} characters even with every earlier tool result elided` });
    }
    const messages = convo.map((t) => t.message);
    const payload = JSON.stringify({ model: provider.model, messages, tools: textMode ? [] : AGENT_TOOL_NAMES }, null, 1);
    const files = mergeFiles(convo.flatMap((t) => t.files));
    // Every value masked in what is sent, wherever in the pipeline it was masked (log lines arrive masked already).
    const redactions = countMasks(payload);
    const record: LedgerRecord = {
      id: randomUUID(),
      attempt: opts.attempt,
      provider: provider.id,
      model: provider.model,
      ...(provider.baseUrl ? { baseUrl: provider.baseUrl } : {}),
      files,
      logLines: logTail.length,
      redactions,
      tokens: { prompt: estimateTokens(payload), completion: 0 },
      costUsd: null,
      payload: payload.length > MAX_PAYLOAD_CHARS ? payload.slice(0, MAX_PAYLOAD_CHARS) + '\n… (truncated)' : payload,
      at: Date.now(),
    };
    const local = provider.id === 'builtin';
    if (!local && opts.confirmSend && !(await opts.confirmSend(record))) {
      return outcome({ patch: null, declined: true, reason: 'not sent: the request to the model was declined, nothing left the machine' });
    }
    if (opts.signal?.aborted) throw new AutoDevError('Cancelled', 'the fix was cancelled');
    if (!local) opts.onRequest?.(record);
    turns++;

    let result;
    try {
      result = await provider.complete({ messages, tools: textMode ? [] : AGENT_TOOLS, signal: opts.signal });
    } catch (err) {
      if (opts.signal?.aborted || isAutoDevError(err, 'Cancelled')) throw new AutoDevError('Cancelled', 'the fix was cancelled');
      const code = isAutoDevError(err) ? err.code : 'LlmError';
      const message = err instanceof Error ? err.message : String(err);
      if (!local) opts.onRequestDone?.(record);
      return outcome({ patch: null, reason: `no fix: ${message}`, error: { code, message } });
    }

    // Our own estimate wins when the server reports less: a server's usage numbers are not trusted to bound spending.
    const usage = result.usage;
    const ownPrompt = record.tokens.prompt;
    const ownCompletion = estimateTokens(JSON.stringify(result.message));
    const p = Math.max(usage?.promptTokens ?? 0, ownPrompt);
    const c = Math.max(usage?.completionTokens ?? 0, ownCompletion);
    const under = usage !== undefined && (usage.promptTokens < p || usage.completionTokens < c);
    const ownCost = under ? estimateCostUsd(provider.model, p, c) : null;
    const reqCost = usage?.costUsd === undefined ? null : ownCost !== null ? Math.max(usage.costUsd, ownCost) : usage.costUsd;
    promptTokens += p;
    completionTokens += c;
    cost = cost === null || reqCost === null ? null : cost + reqCost;
    record.tokens = { prompt: p, completion: c };
    record.costUsd = reqCost;
    if (!local) opts.onRequestDone?.(record);
    budget.record(signature, { promptTokens: p, completionTokens: c, costUsd: reqCost });

    const assistant = result.message;
    let calls: ToolCall[] = assistant.toolCalls ?? [];
    let viaText = false;
    if (!calls.length) {
      calls = parseTextToolCalls(assistant.content);
      viaText = calls.length > 0;
    }
    convo.push({ message: echoOf(viaText ? { ...assistant, toolCalls: undefined } : assistant), files: [] });

    if (!calls.length) {
      const said = (assistant.content ?? '').trim();
      if (provider.id === 'builtin') return outcome({ patch: null, reason: said || 'no built-in fix' });
      if (nudged) {
        return outcome({ patch: null, reason: `no fix: the model answered without calling the tools${said ? `: "${said.slice(0, 300)}"` : ''}` });
      }
      nudged = true;
      const nudge = textMode
        ? 'Reply with one JSON tool call, e.g. {"name": "read_file", "arguments": {"path": "app.py"}}. Call finish when the fix is staged.'
        : 'Use the tools (read_file, list_files, edit_file, write_file) to make the fix, then call finish. Do not answer in prose.';
      convo.push({ message: { role: 'user', content: nudge }, files: [] });
      continue;
    }
    nudged = false;

    const textResults: string[] = [];
    for (const [index, call] of calls.entries()) {
      if (index >= MAX_TOOL_CALLS_PER_REPLY) {
        // Not run: answered, so the conversation stays well-formed, and cheap to repeat.
        const skipped = fence(nonce, 'TOOL RESULT', `error: not run: at most ${MAX_TOOL_CALLS_PER_REPLY} tool calls are executed per reply (this reply had ${calls.length}); send the others in your next reply`);
        if (viaText) textResults.push(`Result of ${call.name.slice(0, 40)} (error):\n${skipped}`);
        else convo.push({ message: { role: 'tool', toolCallId: call.id, content: skipped }, files: [] });
        continue;
      }
      const readLike = call.name === 'read_file' || call.name === 'list_files';
      const key = `${call.name}\0${canonicalArgs(call.arguments)}${readLike ? `\0${session.version}` : ''}`;
      const seen = (loopCounts.get(key) ?? 0) + 1;
      loopCounts.set(key, seen);
      if (seen >= LOOP_REPEATS) {
        activity(call.name, call.arguments, false, 'stopped: the same call a third time');
        return outcome({
          patch: null,
          looping: true,
          reason: `the model is looping: it called ${call.name} with the same arguments ${LOOP_REPEATS} times (${truncate(call.arguments, 160)})`,
        });
      }
      const exec = session.execute(call.name, call.arguments);
      activity(call.name, call.arguments, exec.ok, exec.content);
      if (exec.finished) {
        const changed = session.files();
        if (!changed.length) {
          return outcome({ patch: null, reason: `no fix: the model finished without changing any file${exec.finished.summary ? `: ${exec.finished.summary}` : ''}` });
        }
        const diff = changed.map((f) => unifiedDiff(f.path, f.original, f.patched)).join('');
        const patch: PendingPatch = {
          id: randomUUID(),
          files: changed,
          diff,
          summary: exec.finished.summary || `Edited ${changed.map((f) => f.path).join(', ')}`,
          provider: provider.id,
          model: provider.model,
          attempt: opts.attempt,
          promptTokens,
          completionTokens,
          ...(cost !== null ? { costUsd: cost } : {}),
        };
        return outcome({ patch, reason: patch.summary });
      }
      // Tool results hold workspace text (file bodies, names, the model's own arguments): fenced like all data.
      const content = fence(nonce, 'TOOL RESULT', exec.content);
      const tracked: Tracked = { message: { role: 'tool', toolCallId: call.id, content }, files: exec.file ? [exec.file] : [], elidable: true };
      // Native calls (even from a model run in text mode) need tool messages; calls parsed from text get a user message.
      if (viaText) {
        textResults.push(`Result of ${call.name.slice(0, 40)}${exec.ok ? '' : ' (error)'}:\n${content}`);
        holderOf(convo).files.push(...tracked.files);
      } else {
        convo.push(tracked);
      }
    }
    if (viaText && textResults.length) {
      const holder = holderOf(convo);
      holder.message = { role: 'user', content: textResults.join('\n\n') };
    }
  }
}

/** The user message that carries text-mode tool results of the latest reply (created after the assistant's). */
function holderOf(convo: Tracked[]): Tracked {
  const last = convo[convo.length - 1];
  if (last.message.role === 'user' && last.elidable) return last;
  const holder: Tracked = { message: { role: 'user', content: '' }, files: [], elidable: true };
  convo.push(holder);
  return holder;
}

/** The assistant message as repeated in later requests: huge arguments and replies are not echoed back in full. */
function echoOf(m: ChatMessage): ChatMessage {
  if (m.role !== 'assistant') return m;
  const content = m.content && m.content.length > MAX_ECHO_CHARS ? `${m.content.slice(0, MAX_ECHO_CHARS)}\n… (${m.content.length - MAX_ECHO_CHARS} more characters not repeated)` : m.content;
  const toolCalls = m.toolCalls?.map((c, i) =>
    i >= MAX_TOOL_CALLS_PER_REPLY || c.arguments.length > MAX_ECHO_CHARS
      ? { ...c, name: c.name.slice(0, 64), arguments: JSON.stringify({ elided: `${c.arguments.length} characters of arguments not repeated` }) }
      : c,
  );
  return { ...m, content, ...(toolCalls ? { toolCalls } : {}) };
}

/**
 * Keeps the request under MAX_REQUEST_CHARS by eliding the oldest tool results first; the model is told in the
 * elided result's place. False when even that is not enough.
 */
function fitRequest(convo: Tracked[]): boolean {
  const size = (t: Tracked) => JSON.stringify(t.message).length;
  let total = convo.reduce((n, t) => n + size(t), 0);
  for (const t of convo) {
    if (total <= MAX_REQUEST_CHARS) return true;
    if (!t.elidable || !('content' in t.message) || typeof t.message.content !== 'string') continue;
    const before = size(t);
    const note = `[elided by AutoDev: this earlier tool result (${t.message.content.length} characters) was removed to keep the request under ${MAX_REQUEST_CHARS} characters; call the tool again if you still need it]`;
    t.message = { ...t.message, content: note } as ChatMessage;
    t.files = [];
    t.elidable = false;
    total += size(t) - before;
  }
  return total <= MAX_REQUEST_CHARS;
}

function mergeFiles(files: { path: string; lines: [number, number] }[]): { path: string; lines: [number, number] }[] {
  const by = new Map<string, [number, number]>();
  for (const f of files) {
    const cur = by.get(f.path);
    by.set(f.path, cur ? [Math.min(cur[0], f.lines[0]), Math.max(cur[1], f.lines[1])] : f.lines);
  }
  return [...by.entries()].map(([path, lines]) => ({ path, lines }));
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) + '…' : s;
}
