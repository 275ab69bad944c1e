/**
 * Does a (base URL, model) pair call tools? One tiny request offering a single `probe` tool (never the agent's
 * tools) answers it; the result is cached. Models that write the call as JSON text get the text fallback; models
 * that do neither fall back to the built-in fixer, and the caller says why.
 */
import { randomUUID } from 'node:crypto';
import { AutoDevError, isAutoDevError } from '../errors';
import { capabilityKey, type ToolCapability, type ToolCapabilityCache } from './capabilityCache';
import type { LedgerRecord } from './ledger';
import { BuiltinFixer } from './builtinFixer';
import { estimateTokens } from './fixAgent';
import type { ChatMessage, CompletionResult, LlmProvider, ToolDefinition } from './llmProvider';
import { parseTextToolCalls } from './textToolCalls';

const PROBE_TOOL: ToolDefinition = {
  name: 'probe',
  description: 'Confirms that tool calling works. Call it with ok set to true.',
  parameters: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false },
};
const PROBE_SYSTEM = 'You are being checked for tool calling support.';
const PROBE_USER = 'Call the probe tool with {"ok": true}. If you cannot call tools, reply with only this JSON: {"name": "probe", "arguments": {"ok": true}}';

export interface ProbeOptions {
  cache?: ToolCapabilityCache;
  onRequest?: (r: LedgerRecord) => void;
  /** As in runFixAgent: a decline throws AutoDevError('Cancelled') and sends nothing. */
  confirmSend?: (r: LedgerRecord) => Promise<boolean>;
  signal?: AbortSignal;
}

/**
 * 'tools' when the model returns a native tool call, 'text-json' when it writes the call as JSON text, else 'none'.
 * Cached per (base URL, model). A server that rejects the `tools` field (Ollama: "does not support tools") gets one
 * more request without it, to look for the JSON text form. Provider errors other than that propagate.
 */
export async function probeToolCalling(provider: LlmProvider, opts: ProbeOptions = {}): Promise<ToolCapability> {
  if (provider.id === 'builtin') return 'tools';
  const key = capabilityKey(provider);
  const cached = opts.cache?.get(key);
  if (cached) return cached;
  const messages: ChatMessage[] = [
    { role: 'system', content: PROBE_SYSTEM },
    { role: 'user', content: PROBE_USER },
  ];
  const send = async (tools: ToolDefinition[]): Promise<CompletionResult> => {
    const payload = JSON.stringify({ model: provider.model, messages, tools: tools.map((t) => t.name) }, null, 1);
    const record: LedgerRecord = {
      id: randomUUID(),
      attempt: 0,
      provider: provider.id,
      model: provider.model,
      ...(provider.baseUrl ? { baseUrl: provider.baseUrl } : {}),
      files: [],
      logLines: 0,
      redactions: {},
      tokens: { prompt: estimateTokens(payload), completion: 0 },
      costUsd: null,
      payload,
      at: Date.now(),
    };
    if (opts.confirmSend && !(await opts.confirmSend(record))) throw new AutoDevError('Cancelled', 'the tool-calling probe was declined; nothing was sent');
    opts.onRequest?.(record);
    const r = await provider.complete({ messages, tools, signal: opts.signal });
    if (r.usage) record.tokens = { prompt: r.usage.promptTokens, completion: r.usage.completionTokens };
    record.costUsd = r.usage?.costUsd ?? null;
    return r;
  };
  let result: ToolCapability;
  try {
    const r = await send([PROBE_TOOL]);
    if (r.message.toolCalls?.some((c) => c.name === 'probe')) result = 'tools';
    else if (parseTextToolCalls(r.message.content).some((c) => c.name === 'probe')) result = 'text-json';
    else result = 'none';
  } catch (err) {
    if (!(isAutoDevError(err, 'LlmError') && /\btools?\b|function/i.test(err.message) && /\(400\)|refused the request/.test(err.message))) throw err;
    const r = await send([]);
    result = parseTextToolCalls(r.message.content).some((c) => c.name === 'probe') ? 'text-json' : 'none';
  }
  opts.cache?.set(key, result);
  return result;
}

export interface AgentProviderChoice {
  provider: LlmProvider;
  toolMode: 'tools' | 'text-json';
  /** Set when the configured model is not used: what the user is told. */
  fallbackReason?: string;
  capability: ToolCapability;
}

/**
 * Decides how to run the agent with `provider`: native tools, the JSON text fallback, or the built-in fixer (with
 * the reason) when the model can do neither.
 */
export async function chooseAgentProvider(provider: LlmProvider, opts: ProbeOptions = {}): Promise<AgentProviderChoice> {
  const capability = await probeToolCalling(provider, opts);
  if (capability === 'tools') return { provider, toolMode: 'tools', capability };
  if (capability === 'text-json') return { provider, toolMode: 'text-json', capability };
  return {
    provider: new BuiltinFixer(),
    toolMode: 'tools',
    capability,
    fallbackReason: `the model ${provider.model}${provider.baseUrl ? ` at ${provider.baseUrl}` : ''} cannot call tools (it answered the probe with neither a tool call nor JSON); using the built-in fixer instead`,
  };
}
