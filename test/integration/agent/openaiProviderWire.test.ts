import * as assert from 'node:assert/strict';
import { isAutoDevError } from '../../../src/core/errors';
import { OpenAiCompatibleProvider } from '../../../src/core/agent/openaiProvider';
import type { ChatMessage, CompletionResult } from '../../../src/core/agent/llmProvider';
import { AGENT_TOOLS } from '../../../src/core/agent/agentTools';
import { completion, sseTurn, startFakeLlm } from '../../support/fakeLlmServer';
import type { FakeLlm, FakeResponse, FakeTurn, StreamStyle } from '../../support/fakeLlmServer';

const messages: ChatMessage[] = [
  { role: 'system', content: 'sys' },
  { role: 'user', content: 'fix it' },
];
const editArgs = { path: 'app.py', old_text: 'return a / b', new_text: 'return (a / b if b else 0)' };
const twoCalls: FakeTurn = {
  toolCalls: [
    { id: 'call_a', name: 'read_file', arguments: { path: 'app.py' } },
    { id: 'call_b', name: 'edit_file', arguments: editArgs },
  ],
  usage: { prompt_tokens: 321, completion_tokens: 45 },
};

function provider(fake: FakeLlm, extra: Partial<ConstructorParameters<typeof OpenAiCompatibleProvider>[0]> = {}) {
  return new OpenAiCompatibleProvider({ baseUrl: fake.url, model: 'gpt-4o-mini', apiKey: 'sk-test', timeoutMs: 5_000, ...extra });
}

function assertTwoCalls(r: CompletionResult) {
  const calls = r.message.toolCalls ?? [];
  assert.deepEqual(
    calls.map((c) => [c.name, JSON.parse(c.arguments)]),
    [
      ['read_file', { path: 'app.py' }],
      ['edit_file', editArgs],
    ],
  );
  assert.equal(new Set(calls.map((c) => c.id)).size, 2, 'each call keeps its own id');
}

describe('OpenAI-compatible provider on the wire (fake server, real openai client)', function () {
  this.timeout(30_000);
  let fake: FakeLlm | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const serve = async (fn: Parameters<typeof startFakeLlm>[0]) => (fake = await startFakeLlm(fn));

  const styles: [string, StreamStyle][] = [
    ['plain OpenAI deltas with index', {}],
    ['Gemini: tool-call deltas without index and finish_reason "stop"', { gemini: true }],
    ['Ollama: whole tool call in one chunk and content ""', { ollama: true }],
    ['OpenRouter: SSE comment lines and usage in a late chunk', { comments: true, lateUsage: true }],
    ['Azure: choices [] chunks first', { emptyChoices: true }],
    ['a stream that ends without [DONE]', { noDone: true }],
  ];
  for (const [name, style] of styles) {
    it(`accumulates streamed tool calls — ${name}`, async () => {
      const f = await serve(() => ({ sse: sseTurn(twoCalls, style) }));
      const r = await provider(f).complete({ messages, tools: AGENT_TOOLS });
      assertTwoCalls(r);
      assert.deepEqual([r.usage?.promptTokens, r.usage?.completionTokens], [321, 45]);
      assert.equal(f.requests[0].body.stream, true);
      if (style.ollama) assert.equal(r.message.content, '');
    });
  }

  it('reads the same turn without streaming', async () => {
    const f = await serve(() => ({ json: completion(twoCalls) }));
    const r = await provider(f, { stream: false }).complete({ messages, tools: AGENT_TOOLS });
    assertTwoCalls(r);
    assert.equal(f.requests[0].body.stream, false);
    assert.equal(f.requests[0].body.stream_options, undefined);
  });

  it('sends the tools as JSON-schema functions and the key as a bearer token', async () => {
    const f = await serve(() => ({ json: completion({ content: 'ok' }) }));
    await provider(f, { stream: false }).complete({ messages, tools: AGENT_TOOLS });
    const body = f.requests[0].body;
    assert.deepEqual(
      body.tools.map((t: any) => [t.type, t.function.name]),
      AGENT_TOOLS.map((t) => ['function', t.name]),
    );
    assert.equal(body.tools[2].function.parameters.required.join(','), 'path,old_text,new_text');
    assert.equal(f.requests[0].headers.authorization, 'Bearer sk-test');
  });

  it('keeps reasoning_content (DeepSeek) and sends it back verbatim on the assistant message', async () => {
    const turn: FakeTurn = { toolCalls: [{ id: 'c1', name: 'read_file', arguments: { path: 'a.py' } }], messageExtra: { reasoning_content: 'think hard' } };
    for (const stream of [true, false]) {
      const f = await serve((req) => (req.n === 1 ? (stream ? { sse: sseTurn(turn) } : { json: completion(turn) }) : { json: completion({ content: 'done' }) }));
      const p = provider(f, { stream });
      const r = await p.complete({ messages, tools: AGENT_TOOLS });
      assert.equal(r.message.providerFields?.reasoning_content, 'think hard');
      await p.complete({ messages: [...messages, r.message, { role: 'tool', toolCallId: 'c1', content: 'x' }], tools: AGENT_TOOLS });
      const sent = f.requests[1].body.messages[2];
      assert.equal(sent.reasoning_content, 'think hard');
      assert.equal(sent.tool_calls[0].id, 'c1');
      await fake!.close();
      fake = undefined;
    }
  });

  it("keeps Gemini's thought signature on the tool call and sends it back (streaming and not)", async () => {
    const sig = { extra_content: { google: { thought_signature: 'c2lnbmF0dXJl' } } };
    const turn: FakeTurn = { toolCalls: [{ id: 'g1', name: 'read_file', arguments: { path: 'a.py' } }], toolCallExtra: sig };
    for (const stream of [true, false]) {
      const f = await serve((req) => (req.n === 1 ? (stream ? { sse: sseTurn(turn, { gemini: true }) } : { json: completion(turn) }) : { json: completion({ content: 'done' }) }));
      const p = provider(f, { stream });
      const r = await p.complete({ messages, tools: AGENT_TOOLS });
      assert.deepEqual(r.message.toolCalls?.[0].providerFields, sig);
      await p.complete({ messages: [...messages, r.message, { role: 'tool', toolCallId: 'g1', content: 'x' }], tools: AGENT_TOOLS });
      assert.deepEqual(f.requests[1].body.messages[2].tool_calls[0].extra_content, sig.extra_content);
      await fake!.close();
      fake = undefined;
    }
  });

  it('accumulates OpenRouter reasoning deltas and uses its usage.cost', async () => {
    const lines = [
      ': OPENROUTER PROCESSING',
      '',
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: '', reasoning: 'step 1; ' } }] })}`,
      '',
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { reasoning: 'step 2' } }] })}`,
      '',
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'hello' }, finish_reason: 'stop' }] })}`,
      '',
      `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, cost: 0.00042 } })}`,
      '',
      'data: [DONE]',
      '',
    ];
    const f = await serve(() => ({ sse: lines }));
    const r = await provider(f, { model: 'some/unknown-model' } as never).complete({ messages, tools: [] });
    assert.equal(r.message.content, 'hello');
    assert.equal(r.message.providerFields?.reasoning, 'step 1; step 2');
    assert.equal(r.usage?.costUsd, 0.00042);
  });

  for (const stream of [true, false]) {
    it(`turns an error object inside a 200 response into a retry, then succeeds (${stream ? 'stream' : 'json'})`, async () => {
      const retries: number[] = [];
      const f = await serve((req) => {
        if (req.n === 1) {
          return stream
            ? { sse: [`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'par' } }] })}`, '', `data: ${JSON.stringify({ error: { code: 502, message: 'Provider returned error' }, choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }] })}`, ''] }
            : { json: { error: { code: 502, message: 'Provider returned error' } } };
        }
        return stream ? { sse: sseTurn(twoCalls) } : { json: completion(twoCalls) };
      });
      const r = await provider(f, { stream, sleep: async (ms) => void retries.push(ms) }).complete({ messages, tools: AGENT_TOOLS });
      assertTwoCalls(r);
      assert.equal(f.requests.length, 2);
      assert.equal(retries.length, 1);
    });
  }

  it('reports a non-retryable error inside a 200 stream with its message', async () => {
    const f = await serve(() => ({ sse: [`data: ${JSON.stringify({ error: { code: 400, message: 'context length exceeded' } })}`, ''] }));
    await assert.rejects(provider(f).complete({ messages, tools: [] }), (e) => isAutoDevError(e, 'LlmError') && /context length exceeded/.test(e.message));
    assert.equal(f.requests.length, 1);
  });

  it('waits as long as Retry-After says after a 429, then succeeds', async () => {
    const at: number[] = [];
    const f = await serve((req) => {
      at.push(Date.now());
      return req.n === 1 ? { status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'slow down' } } } : { sse: sseTurn(twoCalls) };
    });
    const seen: number[] = [];
    const r = await provider(f, { onRetry: (i) => seen.push(i.delayMs) }).complete({ messages, tools: AGENT_TOOLS });
    assertTwoCalls(r);
    assert.deepEqual(seen, [1000]);
    assert.ok(at[1] - at[0] >= 950, `second request came ${at[1] - at[0]} ms after the first; Retry-After asked for 1000`);
  });

  it('backs off and retries on 500, and gives up after maxRetries with the status in the message', async () => {
    const waits: number[] = [];
    const f = await serve(() => ({ status: 500, body: { error: { message: 'boom' } } }));
    await assert.rejects(
      provider(f, { maxRetries: 2, sleep: async (ms) => void waits.push(ms) }).complete({ messages, tools: [] }),
      (e) => isAutoDevError(e, 'LlmError') && /500/.test(e.message) && /boom/.test(e.message),
    );
    assert.equal(f.requests.length, 3);
    assert.equal(waits.length, 2);
    assert.ok(waits[1] > waits[0], 'backoff grows');
  });

  it('does not retry a 401 and says to set the key', async () => {
    const f = await serve(() => ({ status: 401, body: { error: { message: 'bad key' } } }));
    await assert.rejects(provider(f).complete({ messages, tools: [] }), (e) => isAutoDevError(e, 'LlmError') && /API key/.test(e.message));
    assert.equal(f.requests.length, 1);
  });

  it('gives up when Retry-After asks for longer than AutoDev waits', async () => {
    const f = await serve(() => ({ status: 429, headers: { 'retry-after': '3600' } }));
    await assert.rejects(provider(f).complete({ messages, tools: [] }), (e) => isAutoDevError(e, 'LlmError') && /3600 s/.test(e.message));
  });

  it('throws LlmTimeout when the server never answers', async () => {
    const f = await serve(() => ({ stall: true }));
    await assert.rejects(provider(f, { timeoutMs: 400 }).complete({ messages, tools: [] }), (e) => isAutoDevError(e, 'LlmTimeout'));
  });

  it('throws LlmTimeout when a stream stalls half-way (the openai helper would end quietly)', async () => {
    const lines = sseTurn(twoCalls).slice(0, 4);
    const f = await serve(() => ({ sse: lines, stallAfter: true }));
    await assert.rejects(provider(f, { timeoutMs: 400 }).complete({ messages, tools: [] }), (e) => isAutoDevError(e, 'LlmTimeout'));
  });

  it('drops stream_options once when the server refuses it', async () => {
    const f = await serve((req) => (req.body.stream_options ? { status: 400, body: { error: { message: 'unknown field stream_options' } } } : { sse: sseTurn({ content: 'hi' }) }));
    const r = await provider(f).complete({ messages, tools: [] });
    assert.equal(r.message.content, 'hi');
    assert.equal(f.requests.length, 2);
  });

  it('cancels on the caller signal with Cancelled, not a timeout', async () => {
    const f = await serve(() => ({ stall: true }) as FakeResponse);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 100);
    await assert.rejects(provider(f).complete({ messages, tools: [], signal: ctl.signal }), (e) => isAutoDevError(e, 'Cancelled'));
  });

  it('throws LlmTimeout when keep-alive comments arrive forever (total cap)', async () => {
    const f = await serve(() => ({ sse: Array.from({ length: 200 }, () => ': OPENROUTER PROCESSING'), delayMs: 50 }));
    await assert.rejects(provider(f, { timeoutMs: 300, totalTimeoutMs: 800 }).complete({ messages, tools: [] }), (e) => isAutoDevError(e, 'LlmTimeout'));
  });

  it('still counts tokens (estimated) when the server sends no usage, and prices them', async () => {
    const lines = [`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'hello there' }, finish_reason: 'stop' }] })}`, '', 'data: [DONE]', ''];
    const f = await serve(() => ({ sse: lines }));
    const r = await provider(f).complete({ messages, tools: [] });
    assert.ok((r.usage?.promptTokens ?? 0) > 0 && (r.usage?.completionTokens ?? 0) > 0);
    assert.ok(typeof r.usage?.costUsd === 'number', 'gpt-4o-mini has a price');
    const free = await provider(f, { pricing: 'free', model: 'llama3.1' } as never).complete({ messages, tools: [] });
    assert.equal(free.usage?.costUsd, 0);
  });
});
