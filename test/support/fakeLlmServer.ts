/**
 * A fake OpenAI-compatible chat-completions server on 127.0.0.1, speaking real HTTP to the real `openai` client.
 * Each test scripts it with a handler; helpers build JSON completions and SSE streams with every wire quirk.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface FakeRequest {
  body: any;
  headers: Record<string, string>;
  /** 1-based number of this request since the server started. */
  n: number;
  /** The raw request body text, exactly as it arrived. */
  raw: string;
  path: string;
}

export type FakeResponse =
  /** A JSON body (a chat completion or an error object) with an optional status (default 200). */
  | { json: unknown; status?: number; headers?: Record<string, string> }
  /** An SSE stream: each entry is one raw line (`data: {...}`, `: comment`, ``); a newline is added after each. */
  | { sse: string[]; headers?: Record<string, string>; status?: number; delayMs?: number; stallAfter?: boolean }
  /** Never answers (the socket stays open until the client gives up or the server closes). */
  | { stall: true }
  /** A raw body with a status. */
  | { raw: string; status?: number; headers?: Record<string, string> }
  /** A status (429, 500…) with headers such as Retry-After and an optional JSON error body. */
  | { status: number; headers?: Record<string, string>; body?: unknown };

export type FakeHandler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface FakeLlm {
  /** Base URL for the openai client: http://127.0.0.1:PORT/v1 */
  url: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

export async function startFakeLlm(handler: FakeHandler): Promise<FakeLlm> {
  const requests: FakeRequest[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: any = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      // keep the raw text: a test may assert on a malformed request
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : String(v ?? '');
    const fr: FakeRequest = { body, headers, n: requests.length + 1, raw, path: req.url ?? '' };
    requests.push(fr);
    open.add(res);
    res.on('close', () => open.delete(res));
    let reply: FakeResponse;
    try {
      reply = await handler(fr);
    } catch (err) {
      reply = { status: 500, body: { error: { message: `fake handler threw: ${String(err)}` } } };
    }
    await send(res, reply);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of open) r.destroy();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

async function send(res: ServerResponse, reply: FakeResponse): Promise<void> {
  if ('stall' in reply) return; // hold the socket open
  if ('json' in reply) {
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
    res.end(JSON.stringify(reply.json));
    return;
  }
  if ('sse' in reply) {
    res.writeHead(reply.status ?? 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...(reply.headers ?? {}) });
    for (const line of reply.sse) {
      if (res.destroyed) return;
      res.write(line + '\n');
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    }
    if (reply.stallAfter) return;
    res.end();
    return;
  }
  if ('raw' in reply) {
    res.writeHead(reply.status ?? 200, reply.headers ?? { 'content-type': 'text/plain' });
    res.end(reply.raw);
    return;
  }
  res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
  res.end(JSON.stringify(reply.body ?? { error: { message: `status ${reply.status}`, type: 'fake_error' } }));
}

// ---------- builders ----------

export interface FakeToolCall {
  id?: string;
  name: string;
  /** An object (serialised) or a raw string (sent verbatim: may be malformed JSON). */
  arguments: Record<string, unknown> | string;
}

export interface FakeTurn {
  content?: string | null;
  toolCalls?: FakeToolCall[];
  finishReason?: string;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens?: number; cost?: number };
  model?: string;
  /** Extra fields on the message (reasoning_content, reasoning…). */
  messageExtra?: Record<string, unknown>;
  /** Extra fields on each tool call (Gemini's extra_content thought signature). */
  toolCallExtra?: Record<string, unknown>;
}

let idCounter = 0;
const argText = (a: FakeToolCall['arguments']) => (typeof a === 'string' ? a : JSON.stringify(a));

/** `{ name, arguments }` → the tool_calls array of a message. */
export function toolCalls(calls: FakeToolCall[], extra?: Record<string, unknown>) {
  return calls.map((c) => ({
    id: c.id ?? `call_${++idCounter}`,
    type: 'function',
    function: { name: c.name, arguments: argText(c.arguments) },
    ...(extra ?? {}),
  }));
}

/** A non-streaming chat completion body. */
export function completion(turn: FakeTurn) {
  const tc = turn.toolCalls?.length ? toolCalls(turn.toolCalls, turn.toolCallExtra) : undefined;
  return {
    id: `chatcmpl-${++idCounter}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: turn.model ?? 'fake-model',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: turn.content ?? null, ...(tc ? { tool_calls: tc } : {}), ...(turn.messageExtra ?? {}) },
        finish_reason: turn.finishReason ?? (tc ? 'tool_calls' : 'stop'),
      },
    ],
    usage: turn.usage ?? { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
  };
}

export const sseData = (obj: unknown) => `data: ${JSON.stringify(obj)}\n`;

function chunk(delta: Record<string, unknown>, finishReason: string | null = null, extra: Record<string, unknown> = {}) {
  return { id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 1, model: 'fake-model', choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra };
}

export interface StreamStyle {
  /** Omit `index` on tool-call deltas and end with finish_reason "stop" (Gemini). */
  gemini?: boolean;
  /** Send each tool call whole in one chunk and content "" (Ollama). */
  ollama?: boolean;
  /** Put usage in a separate late chunk with choices [] (OpenRouter / OpenAI include_usage). */
  lateUsage?: boolean;
  /** SSE comment lines between chunks (OpenRouter keep-alive). */
  comments?: boolean;
  /** `choices: []` chunks at the start (Azure content-filter results). */
  emptyChoices?: boolean;
  /** No `data: [DONE]` at the end. */
  noDone?: boolean;
  /** Split tool-call arguments into pieces of this many characters (default 12). */
  argPiece?: number;
}

/** Streams a turn as SSE lines in the chosen wire style. */
export function sseTurn(turn: FakeTurn, style: StreamStyle = {}): string[] {
  const lines: string[] = [];
  const push = (obj: unknown) => {
    lines.push(`data: ${JSON.stringify(obj)}`, '');
    if (style.comments) lines.push(': OPENROUTER PROCESSING', '');
  };
  if (style.comments) lines.push(': OPENROUTER PROCESSING', '');
  if (style.emptyChoices) push({ id: '', object: '', created: 0, model: '', choices: [], prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] });
  push(chunk({ role: 'assistant', content: style.ollama ? '' : null, ...(turn.messageExtra ?? {}) }));
  if (turn.content) {
    const c = turn.content;
    const mid = Math.ceil(c.length / 2);
    push(chunk({ content: c.slice(0, mid) }));
    if (c.slice(mid)) push(chunk({ content: c.slice(mid) }));
  }
  const calls = turn.toolCalls ?? [];
  calls.forEach((c, i) => {
    const id = c.id ?? `call_${++idCounter}`;
    const args = argText(c.arguments);
    const base = (fn: Record<string, unknown>, first: boolean) => ({
      ...(style.gemini ? {} : { index: i }),
      ...(first ? { id, type: 'function' } : {}),
      function: fn,
      ...(first && turn.toolCallExtra ? turn.toolCallExtra : {}),
    });
    if (style.ollama) {
      push(chunk({ content: '', tool_calls: [base({ name: c.name, arguments: args }, true)] }));
      return;
    }
    if (style.gemini) {
      // Gemini sends each call whole in one delta, with no index.
      push(chunk({ tool_calls: [base({ name: c.name, arguments: args }, true)] }));
      return;
    }
    push(chunk({ tool_calls: [base({ name: c.name, arguments: '' }, true)] }));
    const piece = style.argPiece ?? 12;
    for (let p = 0; p < args.length; p += piece) push(chunk({ tool_calls: [base({ arguments: args.slice(p, p + piece) }, false)] }));
  });
  const finish = turn.finishReason ?? (calls.length && !style.gemini ? 'tool_calls' : 'stop');
  const usage = turn.usage ?? { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 };
  if (style.lateUsage) {
    push(chunk({}, finish));
    push({ id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 1, model: 'fake-model', choices: [], usage });
  } else {
    push(chunk({}, finish, { usage }));
  }
  if (!style.noDone) lines.push('data: [DONE]', '');
  return lines;
}

/** Answers a request in the mode it asked for: SSE when `stream: true`, else a JSON completion. */
export function reply(req: FakeRequest, turn: FakeTurn, style: StreamStyle = {}): FakeResponse {
  return req.body?.stream ? { sse: sseTurn(turn, style) } : { json: completion(turn) };
}

/** The text of every message in a request body, joined (for "does the canary appear" checks). */
export function requestText(body: any): string {
  return JSON.stringify(body ?? '');
}
