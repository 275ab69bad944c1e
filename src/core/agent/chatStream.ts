/**
 * Chat-completion wire parsing done by hand: an SSE reader and a delta accumulator that cope with how real
 * OpenAI-compatible servers stream (tool-call deltas without `index` and finish_reason "stop" with tool calls from
 * Gemini, whole calls in one chunk with content "" from Ollama, comment lines, errors inside a 200 stream and late
 * usage from OpenRouter, `choices: []` chunks from Azure, no `[DONE]`), plus the non-streaming body.
 */
import type { ChatMessage, CompletionResult, ToolCall } from './llmProvider';

/** Message fields some providers need back verbatim on the next request (DeepSeek, OpenRouter, Gemini). */
const MESSAGE_PASSTHROUGH = ['reasoning_content', 'reasoning', 'reasoning_details', 'thinking', 'extra_content', 'thought_signature'];
/** Tool-call fields sent back verbatim (Gemini 3 thought signatures live in `extra_content.google`). */
const TOOL_CALL_PASSTHROUGH = ['extra_content', 'thought_signature'];

/** An error object delivered by the server (inside a 200 stream or a 200 JSON body). */
export class WireError extends Error {
  constructor(
    message: string,
    /** HTTP-like status when the server gave one (`error.code` 429, 502…). */
    readonly status: number | undefined,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

export function wireErrorFrom(error: unknown): WireError {
  const e = (error && typeof error === 'object' ? error : { message: String(error) }) as Record<string, unknown>;
  const message = typeof e.message === 'string' ? e.message : JSON.stringify(e).slice(0, 300);
  const codeNum = typeof e.code === 'number' ? e.code : typeof e.status === 'number' ? e.status : Number.isFinite(Number(e.code)) ? Number(e.code) : undefined;
  const codeText = `${e.code ?? ''} ${e.type ?? ''} ${e.status ?? ''}`.toLowerCase();
  const retryable =
    (codeNum !== undefined && (codeNum === 408 || codeNum === 429 || codeNum >= 500)) ||
    /rate.?limit|overloaded|server_error|unavailable|timeout|resource_exhausted|internal/.test(codeText);
  return new WireError(`the model endpoint reported an error: ${message}${codeNum ? ` (${codeNum})` : ''}`, codeNum, retryable);
}

/** One server-sent event: its data lines joined. Comment lines (`: OPENROUTER PROCESSING`) are skipped. */
export interface SseEvent {
  event?: string;
  data: string;
}

/** Splits a byte stream into SSE events; a final event without a trailing blank line is still delivered. */
export async function* readSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buf = '';
  let data: string[] = [];
  let event: string | undefined;
  const takeLine = function* (line: string): Generator<SseEvent> {
    if (line === '') {
      if (data.length) yield { event, data: data.join('\n') };
      data = [];
      event = undefined;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    // id / retry: nothing to do for chat completions
  };
  for await (const chunk of body) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + (buf[nl] === '\r' && buf[nl + 1] === '\n' ? 2 : 1));
      yield* takeLine(line);
    }
  }
  buf += decoder.decode();
  if (buf) yield* takeLine(buf);
  yield* takeLine('');
}

interface Slot {
  id: string;
  name: string;
  args: string;
  extra: Record<string, unknown>;
}

function usageFrom(u: unknown): { promptTokens: number; completionTokens: number; providerCost?: number } | undefined {
  if (!u || typeof u !== 'object') return undefined;
  const o = u as Record<string, unknown>;
  const p = Number(o.prompt_tokens ?? o.input_tokens ?? 0) || 0;
  const c = Number(o.completion_tokens ?? o.output_tokens ?? 0) || 0;
  const cost = typeof o.cost === 'number' ? o.cost : undefined;
  return { promptTokens: p, completionTokens: c, ...(cost !== undefined ? { providerCost: cost } : {}) };
}

function mergeField(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined || value === null) return;
  const cur = target[key];
  if (typeof value === 'string') target[key] = typeof cur === 'string' ? cur + value : value;
  else if (Array.isArray(value)) target[key] = Array.isArray(cur) ? [...cur, ...value] : value;
  else if (typeof value === 'object') target[key] = cur && typeof cur === 'object' && !Array.isArray(cur) ? deepMerge(cur as Record<string, unknown>, value as Record<string, unknown>) : value;
  else target[key] = value;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object' ? deepMerge(out[k] as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

const isCompleteJson = (s: string) => {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
};

/** Accumulates streamed chunks into one assistant message. */
export class ChatStreamAccumulator {
  private content = '';
  private sawContent = false;
  private readonly fields: Record<string, unknown> = {};
  private readonly slots: Slot[] = [];
  private readonly byIndex = new Map<number, Slot>();
  private finishReason: string | undefined;
  private usage: ReturnType<typeof usageFrom>;
  chunks = 0;

  /** Adds one parsed chunk. Throws WireError for an error object inside the stream. */
  add(chunk: unknown): void {
    if (!chunk || typeof chunk !== 'object') return;
    const c = chunk as Record<string, unknown>;
    this.chunks++;
    if (c.error) throw wireErrorFrom(c.error);
    if (c.usage) this.usage = usageFrom(c.usage) ?? this.usage;
    const choices = Array.isArray(c.choices) ? c.choices : [];
    for (const ch of choices as Record<string, unknown>[]) {
      if (typeof ch.index === 'number' && ch.index !== 0) continue; // n=1: only the first choice
      if (ch.error) throw wireErrorFrom(ch.error);
      // Some servers send a full `message` in stream chunks instead of `delta`.
      const delta = (ch.delta ?? ch.message ?? {}) as Record<string, unknown>;
      if (typeof delta.content === 'string') {
        this.content += delta.content;
        this.sawContent = true;
      } else if (Array.isArray(delta.content)) {
        // Content as parts (Mistral and some proxies): keep the text parts.
        for (const part of delta.content as Record<string, unknown>[]) if (part && typeof part.text === 'string' && part.type !== 'thinking') this.content += part.text;
        this.sawContent = true;
      }
      for (const k of MESSAGE_PASSTHROUGH) mergeField(this.fields, k, delta[k]);
      if (Array.isArray(delta.tool_calls)) for (const tc of delta.tool_calls) this.addToolCall(tc as Record<string, unknown>);
      if (typeof ch.finish_reason === 'string' && ch.finish_reason) this.finishReason = ch.finish_reason;
      if (ch.finish_reason === 'error' && !ch.error) throw new WireError('the model endpoint ended the stream with finish_reason "error"', undefined, true);
    }
  }

  private addToolCall(tc: Record<string, unknown>): void {
    const fn = (tc.function ?? {}) as Record<string, unknown>;
    const id = typeof tc.id === 'string' && tc.id ? tc.id : undefined;
    const name = typeof fn.name === 'string' ? fn.name : undefined;
    const rawArgs = fn.arguments;
    const args = typeof rawArgs === 'string' ? rawArgs : rawArgs !== undefined && rawArgs !== null ? JSON.stringify(rawArgs) : '';
    const last = this.slots[this.slots.length - 1];
    let slot: Slot | undefined;
    if (typeof tc.index === 'number') {
      slot = this.byIndex.get(tc.index);
      // Some servers reuse index 0 for every call; a new id means a new call.
      if (slot && id && slot.id && id !== slot.id) slot = undefined;
      if (!slot) {
        slot = { id: id ?? '', name: '', args: '', extra: {} };
        this.slots.push(slot);
        this.byIndex.set(tc.index, slot);
      }
    } else {
      // No index (Gemini): a new id, or a name after a complete call, starts a new call; otherwise continue the last.
      const startsNew = !last || (id && last.id && id !== last.id) || (name && last.name && isCompleteJson(last.args) && !id);
      if (startsNew || (id && !last?.id && last?.name)) {
        slot = { id: id ?? '', name: '', args: '', extra: {} };
        this.slots.push(slot);
      } else slot = last;
    }
    if (id && !slot.id) slot.id = id;
    if (name && !slot.name) slot.name = name;
    else if (name && slot.name !== name && slot.args === '') slot.name = name;
    // A server repeating the whole arguments in every chunk (rare) must not double them.
    if (args) slot.args = args.startsWith(slot.args) && slot.args && isCompleteJson(args) ? args : slot.args + args;
    for (const k of TOOL_CALL_PASSTHROUGH) mergeField(slot.extra, k, tc[k]);
  }

  /** The message as accumulated. Throws WireError when the stream carried nothing at all. */
  result(): { message: Extract<ChatMessage, { role: 'assistant' }>; usage?: { promptTokens: number; completionTokens: number; providerCost?: number }; finishReason?: string } {
    if (this.chunks === 0) throw new WireError('the model endpoint closed the stream without sending anything', undefined, true);
    const toolCalls: ToolCall[] = this.slots
      .filter((s) => s.name || s.args)
      .map((s, i) => ({
        id: s.id || `call_${i + 1}`,
        name: s.name,
        arguments: s.args,
        ...(Object.keys(s.extra).length ? { providerFields: s.extra } : {}),
      }));
    return {
      message: {
        role: 'assistant',
        content: this.sawContent ? this.content : null,
        ...(toolCalls.length ? { toolCalls } : {}),
        ...(Object.keys(this.fields).length ? { providerFields: { ...this.fields } } : {}),
      },
      usage: this.usage,
      finishReason: this.finishReason,
    };
  }
}

/** A non-streaming chat completion body → message, usage, finish reason. Throws WireError for error bodies. */
export function completionFromBody(body: unknown): ReturnType<ChatStreamAccumulator['result']> {
  if (!body || typeof body !== 'object') throw new WireError('the model endpoint answered with something that is not a chat completion', undefined, true);
  const b = body as Record<string, unknown>;
  if (b.error) throw wireErrorFrom(b.error);
  const choices = Array.isArray(b.choices) ? (b.choices as Record<string, unknown>[]) : [];
  if (!choices.length) throw new WireError('the model endpoint answered with no choices', undefined, true);
  const acc = new ChatStreamAccumulator();
  // Reuse the accumulator: a whole message is one big delta.
  acc.add({ ...b, choices: [{ ...choices[0], delta: choices[0].message ?? {}, message: undefined }] });
  return acc.result();
}

/** Wire form of our messages (provider fields sent back verbatim). */
export function toWireMessages(messages: ChatMessage[]): Record<string, unknown>[] {
  return messages.map((m) => {
    if (m.role === 'assistant') {
      const out: Record<string, unknown> = { role: 'assistant', content: m.content ?? null };
      if (m.toolCalls?.length) {
        out.tool_calls = m.toolCalls.map((tc) => ({
          id: tc.id,
          type: 'function',
          // Malformed arguments sent back make some servers reject the whole request; the tool result explains.
          function: { name: tc.name, arguments: isCompleteJson(tc.arguments) ? tc.arguments : '{}' },
          ...(tc.providerFields ?? {}),
        }));
      }
      if (m.providerFields) Object.assign(out, m.providerFields);
      return out;
    }
    if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
    return { role: m.role, content: m.content };
  });
}
