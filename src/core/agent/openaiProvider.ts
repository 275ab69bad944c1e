/**
 * OpenAI-compatible chat completions (OpenRouter, Gemini, OpenAI, Ollama, vLLM) through the `openai` package's
 * HTTP client, with our own SSE parsing and delta accumulation, retries with backoff on 429/5xx honouring
 * Retry-After, and a per-request timeout that also covers a stream that stalls half-way.
 */
import OpenAI, { APIConnectionError, APIError } from 'openai';
import { AutoDevError } from '../errors';
import { estimateCostUsd } from './budget';
import { ChatStreamAccumulator, WireError, completionFromBody, readSse, toWireMessages, wireErrorFrom } from './chatStream';
import type { CompletionRequest, CompletionResult, LlmProvider } from './llmProvider';
import { abortableDelay } from '../common/abortableDelay';

export interface OpenAiProviderOptions {
  baseUrl: string;
  model: string;
  /** Local servers (Ollama) need none. */
  apiKey?: string;
  /** Per request; for streams, the longest wait for the first or the next chunk. Default 60 s. */
  timeoutMs?: number;
  /**
   * Longest a whole request may take, even while chunks or keep-alive comments keep arriving (a server that queues
   * forever). Default 5 × timeoutMs.
   */
  totalTimeoutMs?: number;
  /** Retries after a 429/5xx/connection failure. Default 3. */
  maxRetries?: number;
  /** Stream responses (default true): slow local models show progress and a stalled stream is caught early. */
  stream?: boolean;
  /** Ask for usage in the stream (`stream_options.include_usage`); dropped automatically if the server refuses it. */
  streamUsage?: boolean;
  headers?: Record<string, string>;
  /** Longest Retry-After honoured before giving up (default 60 s). */
  maxRetryAfterMs?: number;
  /** 'free' for a local model server (the Ollama preset): cost 0 instead of "unknown". */
  pricing?: 'free' | 'table';
  /** Longest reply read, in bytes (default 8 MiB): a fix needs far less, and a huge reply is not held in memory. */
  maxReplyBytes?: number;
  /** Called before each retry (for logs and tests). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  /** Waits between retries; tests may record instead. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const DEFAULT_MAX_REPLY_BYTES = 8 * 1024 * 1024;

/** Waits `ms` (retry back-off); rejects with Cancelled when `signal` aborts before or during the wait. */
async function cancellableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal?.aborted) await abortableDelay(ms, signal);
  if (signal?.aborted) throw new AutoDevError('Cancelled', 'cancelled');
}

/** Milliseconds from `retry-after-ms` / `retry-after` (seconds or an HTTP date); undefined when absent. */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = headers.get('retry-after');
  if (!ra) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) return Math.max(0, Number(ra) * 1000);
  const date = Date.parse(ra);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

interface Failure {
  retryable: boolean;
  error: AutoDevError;
  retryAfter?: number;
  /** The server refused stream_options: retry once without. */
  dropStreamUsage?: boolean;
}

export class OpenAiCompatibleProvider implements LlmProvider {
  readonly id = 'openai';
  readonly model: string;
  readonly baseUrl: string;
  private readonly client: OpenAI;
  private readonly timeoutMs: number;
  private streamUsage: boolean;

  constructor(private readonly opts: OpenAiProviderOptions) {
    this.model = opts.model;
    this.baseUrl = opts.baseUrl;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.streamUsage = opts.streamUsage ?? true;
    this.client = new OpenAI({
      baseURL: opts.baseUrl,
      // The client insists on a key; local servers ignore it.
      apiKey: opts.apiKey || 'no-key',
      maxRetries: 0, // retries are ours: Retry-After, backoff and the ledger stay in one place
      timeout: this.timeoutMs + 5_000, // backstop only: our own timer also covers the body
      defaultHeaders: opts.headers,
    });
  }

  private get host(): string {
    try {
      return new URL(this.baseUrl).host;
    } catch {
      return this.baseUrl;
    }
  }

  async complete(request: CompletionRequest): Promise<CompletionResult> {
    const maxRetries = this.opts.maxRetries ?? 3;
    const sleep = this.opts.sleep ?? cancellableSleep;
    for (let attempt = 0; ; attempt++) {
      if (request.signal?.aborted) throw new AutoDevError('Cancelled', 'the model request was cancelled');
      const failure = await this.once(request).then(
        (r) => r,
        (f: Failure) => f,
      );
      if (!('retryable' in failure)) return failure;
      if (failure.dropStreamUsage && this.streamUsage) {
        this.streamUsage = false;
        continue;
      }
      if (!failure.retryable || attempt >= maxRetries) throw failure.error;
      const backoff = Math.min(8_000, 500 * 2 ** attempt) * (0.8 + Math.random() * 0.4);
      const delay = failure.retryAfter ?? backoff;
      const cap = this.opts.maxRetryAfterMs ?? 60_000;
      if (delay > cap) {
        throw new AutoDevError('LlmError', `${failure.error.message}; the server asks to wait ${Math.ceil(delay / 1000)} s, longer than AutoDev waits — try again later`);
      }
      this.opts.onRetry?.({ attempt: attempt + 1, delayMs: delay, reason: failure.error.message });
      await sleep(delay, request.signal);
    }
  }

  /** One HTTP exchange; rejects with a Failure. */
  private async once(request: CompletionRequest): Promise<CompletionResult> {
    const stream = this.opts.stream ?? true;
    const body: Record<string, unknown> = {
      model: this.model,
      messages: toWireMessages(request.messages),
      stream,
    };
    if (request.tools.length) {
      body.tools = request.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
    }
    if (stream && this.streamUsage) body.stream_options = { include_usage: true };

    const ctl = new AbortController();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        ctl.abort();
      }, this.timeoutMs);
    };
    const total = setTimeout(() => {
      timedOut = true;
      ctl.abort();
    }, this.opts.totalTimeoutMs ?? this.timeoutMs * 5);
    const onUserAbort = () => ctl.abort();
    request.signal?.addEventListener('abort', onUserAbort, { once: true });
    arm();
    try {
      const res = await this.client.chat.completions
        .create(body as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, { signal: ctl.signal })
        .asResponse();
      let parsed;
      if (stream && (res.headers.get('content-type') ?? '').includes('text/event-stream')) {
        const acc = new ChatStreamAccumulator();
        for await (const ev of readSse(this.bodyChunks(res, arm))) {
          if (ev.data.trim() === '[DONE]') break;
          if (ev.event === 'error') throw wireErrorFrom(safeJson(ev.data)?.error ?? safeJson(ev.data) ?? ev.data);
          const chunk = safeJson(ev.data);
          // A line that is not JSON (a proxy's keep-alive text) is skipped rather than failing the request.
          if (chunk === undefined) continue;
          acc.add(chunk);
        }
        parsed = acc.result();
      } else {
        // Not streamed (stream disabled, or a server that ignored `stream: true`).
        const parts: Uint8Array[] = [];
        for await (const chunk of this.bodyChunks(res, arm)) parts.push(chunk);
        const text = Buffer.concat(parts).toString('utf8');
        const json = safeJson(text);
        if (json === undefined) throw new WireError(`the model endpoint answered with something that is not JSON: ${text.slice(0, 200)}`, undefined, true);
        parsed = completionFromBody(json);
      }
      // Servers that send no usage (older Ollama, some proxies) still get counted: ≈4 characters per token.
      const u = parsed.usage ?? {
        promptTokens: Math.ceil(JSON.stringify(body.messages).length / 4),
        completionTokens: Math.ceil(JSON.stringify(parsed.message).length / 4),
      };
      const cost = u.providerCost ?? (this.opts.pricing === 'free' ? 0 : estimateCostUsd(this.model, u.promptTokens, u.completionTokens)) ?? undefined;
      return {
        message: parsed.message,
        usage: { promptTokens: u.promptTokens, completionTokens: u.completionTokens, ...(cost !== undefined ? { costUsd: cost } : {}) },
        finishReason: parsed.finishReason,
      };
    } catch (err) {
      throw this.classify(err, timedOut, request.signal?.aborted ?? false);
    } finally {
      if (timer) clearTimeout(timer);
      clearTimeout(total);
      request.signal?.removeEventListener('abort', onUserAbort);
    }
  }

  /** The response body as chunks, re-arming the idle timer on each one. */
  private async *bodyChunks(res: Response, arm: () => void): AsyncGenerator<Uint8Array> {
    if (!res.body) return;
    const reader = res.body.getReader();
    const limit = this.opts.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
    let total = 0;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        arm();
        total += value?.length ?? 0;
        if (total > limit) {
          await reader.cancel().catch(() => undefined);
          throw new WireError(`the model's reply exceeded ${Math.round(limit / 1024 / 1024)} MiB; AutoDev stopped reading it (a fix needs far less)`, undefined, false);
        }
        if (value) yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }

  private classify(err: unknown, timedOut: boolean, cancelled: boolean): Failure {
    if (cancelled) return { retryable: false, error: new AutoDevError('Cancelled', 'the model request was cancelled') };
    if (timedOut) {
      return {
        retryable: false,
        error: new AutoDevError('LlmTimeout', `the model at ${this.host} did not answer within ${Math.round(this.timeoutMs / 100) / 10} s; try again, raise the timeout, or pick a faster model`),
      };
    }
    if (err instanceof AutoDevError) return { retryable: false, error: err };
    if (err instanceof WireError) return { retryable: err.retryable, error: new AutoDevError('LlmError', err.message) };
    if (err instanceof APIConnectionError) {
      const cause = (err as { cause?: { message?: string; code?: string } }).cause;
      return { retryable: true, error: new AutoDevError('LlmError', `could not reach the model at ${this.host}: ${cause?.code ?? cause?.message ?? err.message}`) };
    }
    if (err instanceof APIError && typeof err.status === 'number') {
      const status = err.status;
      const detail = apiErrorText(err);
      const retryAfter = retryAfterMs(err.headers ?? undefined);
      if (status === 400 && /stream_options/i.test(detail)) return { retryable: true, dropStreamUsage: true, error: new AutoDevError('LlmError', detail) };
      if (status === 401 || status === 403) {
        return { retryable: false, error: new AutoDevError('LlmError', `the model endpoint ${this.host} refused the API key (${status}): ${detail}. Set the key (AutoDev: Set API Key, or the provider's env var).`) };
      }
      if (status === 404) return { retryable: false, error: new AutoDevError('LlmError', `model "${this.model}" or endpoint ${this.baseUrl} not found (404): ${detail}`) };
      if (status === 408 || status === 409 || status === 429 || status >= 500) {
        return { retryable: true, retryAfter, error: new AutoDevError('LlmError', `the model endpoint ${this.host} answered ${status}${status === 429 ? ' (rate limited)' : ''}: ${detail}`) };
      }
      return { retryable: false, error: new AutoDevError('LlmError', `the model endpoint ${this.host} refused the request (${status}): ${detail}`) };
    }
    const e = err as Error;
    if (e?.name === 'AbortError') return { retryable: false, error: new AutoDevError('Cancelled', 'the model request was cancelled') };
    // A broken socket mid-stream (TypeError: terminated) is a transient network failure.
    if (e instanceof TypeError || (e as NodeJS.ErrnoException)?.code) {
      return { retryable: true, error: new AutoDevError('LlmError', `the connection to ${this.host} failed: ${e.message}`) };
    }
    return { retryable: false, error: new AutoDevError('LlmError', `the model request failed: ${e?.message ?? String(err)}`) };
  }
}

function apiErrorText(err: APIError): string {
  const body = err.error as Record<string, unknown> | undefined;
  const inner = body && typeof body === 'object' ? ((body.error as Record<string, unknown> | undefined) ?? body) : undefined;
  const msg = inner && typeof inner.message === 'string' ? inner.message : err.message;
  return String(msg).replace(/\s+/g, ' ').slice(0, 300);
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
