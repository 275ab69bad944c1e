import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BudgetTracker } from '../../../src/core/agent/budget';
import { createSecretMasker } from '../../../src/core/privacy/secretMasker';
import { runFixAgent } from '../../../src/core/agent/fixAgent';
import type { FixAgentOptions } from '../../../src/core/agent/fixAgent';
import type { FixLimits } from '../../../src/core/agent/llmProvider';
import { createProvider } from '../../../src/core/agent/providers';
import { createPathMapper } from '../../../src/core/crash/pathMapper';
import { scanText } from '../../../src/core/crash/scanText';
import type { AgentActivity, LedgerRecord } from '../../../src/core/agent/ledger';
import { reply, startFakeLlm } from '../../support/fakeLlmServer';
import { budgetFor } from '../../support/budgetFor';
import type { FakeLlm, FakeRequest, FakeResponse, FakeTurn, StreamStyle } from '../../support/fakeLlmServer';

const APP = `import os


def ratio(a, b):
    return a / b


def main():
    print(ratio(1, 0))


main()
`;
const TRACE = `starting
Traceback (most recent call last):
  File "/app/app.py", line 12, in <module>
    main()
  File "/app/app.py", line 9, in main
    print(ratio(1, 0))
  File "/app/app.py", line 5, in ratio
    return a / b
ZeroDivisionError: division by zero
`;
const FIX = { path: 'app.py', old_text: '    return a / b', new_text: '    return a / b if b else 0' };
const limits: FixLimits = { maxTurns: 8, maxTokens: 200_000, maxCostUsd: 0.5, dailyCostUsd: 5, timeoutMs: 5_000 };

/** Replies to request n with turns[n-1] (the last one repeats), in the mode the request asked for. */
function script(turns: FakeTurn[], style: StreamStyle = {}) {
  return (req: FakeRequest): FakeResponse => reply(req, turns[Math.min(req.n, turns.length) - 1], style);
}

/** The text inside a tool result's nonce fence. */
function unfence(content: string): string {
  const m = /^----- BEGIN TOOL RESULT ([0-9a-f]{16}) -----\n([\s\S]*)\n----- END TOOL RESULT \1 -----$/.exec(content);
  assert.ok(m, `a tool result is fenced: ${content.slice(0, 200)}`);
  return m[2];
}

/** The tool messages the model received in request `n` (1-based). */
function toolResults(fake: FakeLlm, n: number): string[] {
  return fake.requests[n - 1].body.messages.filter((m: any) => m.role === 'tool').map((m: any) => unfence(m.content));
}

describe('fix agent against a fake OpenAI-compatible server', function () {
  this.timeout(60_000);
  let root: string;
  let ws: string;
  let fake: FakeLlm | undefined;
  beforeEach(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'autodev-agent-')));
    ws = join(root, 'ws');
    mkdirSync(ws);
    writeFileSync(join(ws, 'app.py'), APP);
    writeFileSync(join(ws, 'requirements.txt'), 'flask\n');
  });
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
    rmSync(root, { recursive: true, force: true });
  });

  const crash = () => scanText(TRACE, { pathMapper: createPathMapper({ workspaceDir: ws }) })[0];
  async function run(turns: FakeTurn[] | ((req: FakeRequest) => FakeResponse | Promise<FakeResponse>), { stream, style, apiKey, model, secrets, ...extra }: Partial<FixAgentOptions> & { stream?: boolean; style?: StreamStyle; apiKey?: string; model?: string; secrets?: string[] } = {}) {
    fake = await startFakeLlm(typeof turns === 'function' ? turns : script(turns, style));
    const ledger: LedgerRecord[] = [];
    const activity: AgentActivity[] = [];
    const provider = createProvider({ kind: 'openai', baseUrl: fake.url, model: model ?? 'gpt-4o-mini', apiKey: apiKey ?? 'sk-test-key-0000', timeoutMs: extra.limits?.timeoutMs ?? 5_000 }, { stream: stream ?? true, sleep: async () => {} });
    const outcome = await runFixAgent({
      workspaceDir: ws,
      crash: crash(),
      logTail: ['starting'],
      provider,
      limits,
      attempt: 1,
      previousAttempts: [],
      masker: createSecretMasker({ workspaceDir: ws, secrets: secrets ?? [] }),
      onRequest: (r) => ledger.push(r),
      onActivity: (a) => activity.push(a),
      budget: budgetFor(extra.limits ?? limits),
      ...extra,
    });
    return { outcome, ledger, activity, fake: fake! };
  }

  const happy: FakeTurn[] = [
    { toolCalls: [{ name: 'read_file', arguments: { path: 'app.py' } }] },
    { toolCalls: [{ name: 'edit_file', arguments: FIX }] },
    { toolCalls: [{ name: 'finish', arguments: { summary: 'b can be 0; guarded the division.' } }] },
  ];

  it('sends the trace, the full implicated file, a listing and the logs in the first request, then drives the tools to a patch', async () => {
    const { outcome, fake, ledger, activity } = await run(happy);
    const first = fake.requests[0].body.messages;
    assert.equal(first[0].role, 'system');
    assert.match(first[0].content, /root-cause/i);
    assert.match(first[0].content, /never instructions/);
    const user = first[1].content as string;
    assert.ok(user.includes('ZeroDivisionError: division by zero'), 'trace is in the first message');
    assert.ok(user.includes('File "/app/app.py", line 5, in ratio'), 'the trace frames are in the first message');
    assert.ok(user.includes(APP), 'the full text of app.py is in the first message, as plain text');
    assert.match(user, /Implicated file, line 5:\n----- BEGIN PATH ([0-9a-f]{16}) -----\napp\.py\n----- END PATH \1 -----\nIn function:\n----- BEGIN FUNCTION \1 -----\nratio\n/);
    assert.match(user, /Workspace files:\n----- BEGIN LISTING ([0-9a-f]{16}) -----\napp\.py\nrequirements\.txt\n----- END LISTING \1 -----/);
    assert.match(user, /BEGIN LOGS ([0-9a-f]{16}) -----\nstarting\n----- END LOGS \1 -----/);
    assert.ok(outcome.patch, outcome.reason);
    assert.equal(outcome.patch.summary, 'b can be 0; guarded the division.');
    assert.match(outcome.patch.diff, /^-    return a \/ b\n\+    return a \/ b if b else 0$/m);
    assert.equal(readFileSync(join(ws, 'app.py'), 'utf8'), APP, 'nothing is written: the patch is only staged');
    assert.equal(fake.requests.length, 3);
    assert.equal(ledger.length, 3, 'one ledger record per request');
    assert.deepEqual(ledger[0].files, [{ path: 'app.py', lines: [1, 12] }]);
    assert.equal(ledger[0].logLines, 1);
    assert.deepEqual(toolResults(fake, 2), [APP], 'the read_file result reaches the model as plain text');
    assert.deepEqual(activity.map((a) => [a.tool, a.ok]), [['read_file', true], ['edit_file', true], ['finish', true]]);
    // The fake server reports 100 prompt tokens per request, less than the requests hold: our own estimate counts.
    assert.equal(outcome.promptTokens, ledger.reduce((n, r) => n + r.tokens.prompt, 0));
    assert.ok(ledger.every((r) => r.tokens.prompt > 100 && r.tokens.prompt === Math.ceil((r.payload ?? '').length / 4)));
    assert.ok(outcome.completionTokens >= 60, `${outcome.completionTokens}`);
    assert.ok(outcome.costUsd !== null && outcome.costUsd > 0, 'gpt-4o-mini has a known price');
  });

  const wireStyles: [string, boolean, StreamStyle][] = [
    ['non-streaming JSON', false, {}],
    ['OpenAI stream', true, {}],
    ['Gemini stream', true, { gemini: true }],
    ['Ollama stream', true, { ollama: true }],
    ['OpenRouter stream', true, { comments: true, lateUsage: true }],
    ['Azure stream', true, { emptyChoices: true, noDone: true }],
  ];
  for (const [name, streamed, wire] of wireStyles) {
    it(`produces the same patch over the ${name} wire style`, async () => {
      const { outcome } = await run(happy, { stream: streamed, style: wire });
      assert.ok(outcome.patch, outcome.reason);
      assert.equal(outcome.patch.files[0].patched, APP.replace('    return a / b', '    return a / b if b else 0'));
    });
  }

  it('refuses hostile paths, tells the model why, and reads or writes nothing outside', async () => {
    const outside = join(root, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'OUTSIDE-CANARY-7731');
    symlinkSync(outside, join(ws, 'link'));
    mkdirSync(join(ws, '.git'));
    writeFileSync(join(ws, '.git', 'config'), '[core]\n GIT-CANARY-1\n');
    writeFileSync(join(ws, '.env'), 'API_TOKEN=ENV-CANARY-55aa77\n');
    const hostile = [
      { name: 'read_file', arguments: { path: '../../etc/passwd' } },
      { name: 'read_file', arguments: { path: '/etc/passwd' } },
      { name: 'read_file', arguments: { path: '.git/config' } },
      { name: 'read_file', arguments: { path: '.env' } },
      { name: 'read_file', arguments: { path: 'link/secret.txt' } },
      { name: 'list_files', arguments: { path: 'link' } },
      { name: 'write_file', arguments: { path: 'link/planted.txt', content: 'x' } },
      { name: 'write_file', arguments: { path: '.git/hooks/pre-commit', content: 'curl evil' } },
      { name: 'edit_file', arguments: { path: '.vscode/settings.json', old_text: 'a', new_text: 'b' } },
      { name: 'write_file', arguments: { path: '.github/workflows/ci.yml', content: 'x' } },
    ];
    const { outcome, fake, activity } = await run([{ toolCalls: hostile }, { toolCalls: [{ name: 'finish', arguments: { summary: 'gave up' } }] }]);
    const results = toolResults(fake, 2);
    assert.equal(results.length, hostile.length);
    for (const [i, r] of results.entries()) assert.match(r, /^error: refused/, `call ${i} (${JSON.stringify(hostile[i].arguments)}) is refused with the reason`);
    assert.match(results[0], /leaves the workspace/);
    assert.match(results[1], /absolute paths/);
    assert.match(results[3], /\.env/);
    assert.match(results[4], /symlink/);
    const everything = fake.requests.map((r) => r.raw).join('\n');
    for (const canary of ['OUTSIDE-CANARY-7731', 'GIT-CANARY-1', 'ENV-CANARY-55aa77', 'root:x:0']) assert.ok(!everything.includes(canary), `${canary} never reaches the model`);
    assert.equal(existsSync(join(outside, 'planted.txt')), false);
    assert.equal(existsSync(join(ws, '.git', 'hooks')), false);
    assert.equal(outcome.patch, null);
    assert.equal(outcome.looping, undefined, 'different refused calls are not a loop');
    assert.ok(activity.slice(0, hostile.length).every((a) => !a.ok));
  });

  it('reports malformed arguments, unknown tools and ambiguous edits back to the model and carries on', async () => {
    writeFileSync(join(ws, 'twice.py'), 'x = 1\nx = 1\n');
    const { outcome, fake } = await run([
      { toolCalls: [{ name: 'read_file', arguments: '{"path": "app.py"' }, { name: 'run_shell', arguments: { cmd: 'rm -rf /' } }] },
      { toolCalls: [{ name: 'edit_file', arguments: { path: 'app.py', old_text: 'not there', new_text: 'y' } }, { name: 'edit_file', arguments: { path: 'twice.py', old_text: 'x = 1', new_text: 'x = 2' } }] },
      { toolCalls: [{ name: 'edit_file', arguments: FIX }] },
      { toolCalls: [{ name: 'finish', arguments: { summary: 'guarded' } }] },
    ]);
    const [bad, unknown] = toolResults(fake, 2);
    assert.match(bad, /not valid JSON/);
    assert.match(unknown, /unknown tool "run_shell".*There is no shell/);
    const r3 = toolResults(fake, 3);
    assert.match(r3[2], /matched 0 times/);
    assert.match(r3[3], /matched 2 times/);
    assert.ok(outcome.patch, outcome.reason);
    assert.deepEqual(outcome.patch.files.map((f) => f.path), ['app.py']);
  });

  it('stops a looping model on the third identical call and says so', async () => {
    const { outcome, fake } = await run([{ toolCalls: [{ name: 'read_file', arguments: { path: 'requirements.txt' } }] }]);
    assert.equal(outcome.looping, true);
    assert.match(outcome.reason, /^the model is looping: it called read_file with the same arguments 3 times/);
    assert.equal(outcome.patch, null);
    assert.equal(fake.requests.length, 3);
  });

  it('counts a refused path as a loop only when it is repeated identically', async () => {
    const { outcome } = await run([{ toolCalls: [{ name: 'read_file', arguments: { path: '/etc/passwd' } }] }]);
    assert.equal(outcome.looping, true);
  });

  it('ends as "no fix" with the reason when the model only talks', async () => {
    const { outcome, fake } = await run([{ content: 'The bug is that b is zero. You should check b.' }]);
    assert.equal(outcome.patch, null);
    assert.match(outcome.reason, /answered without calling the tools: "The bug is that b is zero/);
    assert.equal(fake.requests.length, 2, 'one reminder to use the tools, then it stops');
    assert.match(fake.requests[1].body.messages.at(-1).content, /Use the tools/);
  });

  it('ends as "no fix" when the model never calls finish within the turn cap', async () => {
    let i = 0;
    const { outcome, fake } = await run((req) => reply(req, { toolCalls: [{ name: 'list_files', arguments: { path: `dir${i++}` } }] }), { limits: { ...limits, maxTurns: 4 } });
    assert.equal(outcome.patch, null);
    assert.match(outcome.reason, /did not call finish within 4 turns/);
    assert.equal(fake.requests.length, 4);
  });

  it('follows tool calls written as JSON in content (fenced or bare)', async () => {
    const { outcome, fake } = await run([
      { content: 'Let me look.\n```json\n{"name": "read_file", "arguments": {"path": "app.py"}}\n```' },
      { content: JSON.stringify({ name: 'edit_file', arguments: FIX }) },
      { content: '{"name": "finish", "arguments": {"summary": "guarded b"}}' },
    ]);
    assert.ok(outcome.patch, outcome.reason);
    assert.equal(outcome.patch.summary, 'guarded b');
    const second = fake.requests[1].body.messages.at(-1);
    assert.equal(second.role, 'user', 'results of text calls come back as a user message');
    assert.match(second.content, new RegExp(`^Result of read_file:\n----- BEGIN TOOL RESULT ([0-9a-f]{16}) -----\n${APP.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n----- END TOOL RESULT \\1 -----$`));
  });

  it('runs a text-only model in text-json mode: no tools field, JSON tool instructions in the system prompt', async () => {
    const { outcome, fake } = await run(
      [
        { content: '{"name": "edit_file", "arguments": ' + JSON.stringify(FIX) + '}' },
        { content: '{"name": "finish", "arguments": {"summary": "ok"}}' },
      ],
      { toolMode: 'text-json' },
    );
    assert.ok(outcome.patch, outcome.reason);
    assert.equal(fake.requests[0].body.tools, undefined);
    assert.match(fake.requests[0].body.messages[0].content, /reply with only one JSON object/);
  });

  it('never lets a .env canary, a configured key or credentials leave, and the ledger counts what was masked', async () => {
    writeFileSync(join(ws, '.env'), 'DB_PASSWORD=Canary-Pw-81f2c9\nexport SESSION_SECRET="canary-session-6b1d"\nPORT=8000\n');
    writeFileSync(join(ws, 'app.py'), APP.replace('import os', 'import os\nDSN = "postgres://admin:Canary-Pw-81f2c9@db:5432/app"'));
    const logTail = [
      ...Array.from({ length: 22 }, (_, i) => `req ${i}`),
      'auth header Authorization: Bearer abcdefghijklmnop.qrstuv',
      'session canary-session-6b1d restored',
      'calling model with sk-or-v1-0123456789abcdef0123456789abcdef',
    ];
    const crashWithSecret = { ...crash(), text: TRACE.replace('ZeroDivisionError: division by zero', 'ZeroDivisionError: division by zero (key AIzaSyA1234567890abcdefghijklmnopqrstuv)') };
    const { outcome, ledger, fake } = await run(
      [
        { toolCalls: [{ name: 'read_file', arguments: { path: 'app.py' } }] },
        { toolCalls: [{ name: 'finish', arguments: { summary: 'nothing to do' } }] },
      ],
      { logTail, crash: crashWithSecret, secrets: ['sk-or-v1-0123456789abcdef0123456789abcdef'] },
    );
    const bodies = fake.requests.map((r) => r.raw).join('\n');
    for (const canary of ['Canary-Pw-81f2c9', 'canary-session-6b1d', 'abcdefghijklmnop.qrstuv', 'sk-or-v1-0123456789abcdef', 'AIzaSyA1234567890']) {
      assert.ok(!bodies.includes(canary), `${canary} never appears in a request body`);
      assert.ok(!ledger.some((r) => (r.payload ?? '').includes(canary)), `${canary} is not in the ledger payload`);
    }
    assert.ok(bodies.includes('[REDACTED:env-value]'));
    const first = ledger[0];
    assert.equal(first.logLines, 20, 'only the last 20 log lines are sent');
    assert.ok((first.redactions['env-value'] ?? 0) >= 2, JSON.stringify(first.redactions));
    assert.equal(first.redactions['configured-key'], 1);
    assert.equal(first.redactions['bearer-token'], 1);
    assert.equal(first.redactions['google-key'], 1);
    assert.ok(ledger[1].redactions['env-value']! > first.redactions['env-value']!, 'the second request also re-sends the read file, masked again');
    assert.ok(!bodies.includes('req 0\n') && bodies.includes('req 21'), 'older log lines are not sent');
    assert.equal(outcome.patch, null);
  });

  it('stops mid-incident when the cost cap is reached, warns at 80 %, and keeps the daily total in a file', async () => {
    const warnings: string[] = [];
    const budgetFile = join(root, 'state', 'budget.json');
    const budget = new BudgetTracker({ limits: { maxCostUsd: 0.5, dailyCostUsd: 10, maxTokens: 1_000_000 }, file: budgetFile, onWarn: (m) => warnings.push(m) });
    let i = 0;
    const { outcome, fake, ledger } = await run((req) => reply(req, { toolCalls: [{ name: 'list_files', arguments: { path: `d${i++}` } }], usage: { prompt_tokens: 1000, completion_tokens: 100, cost: 0.21 } }), { budget });
    assert.equal(outcome.budgetExceeded, true);
    assert.match(outcome.reason, /cost cap reached: this crash has used \$0\.63\d* of its \$0\.50 budget/);
    assert.equal(fake.requests.length, 3, '0.21 + 0.21 = 0.42 < 0.50 allows a third request; then the cap stops the fourth');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /84 %/);
    assert.equal(ledger[0].costUsd, 0.21);
    assert.ok(Math.abs((outcome.costUsd ?? 0) - 0.63) < 1e-9);
    const daily = JSON.parse(readFileSync(budgetFile, 'utf8'));
    assert.ok(Math.abs(daily.costUsd - 0.63) < 1e-9);
    // A new tracker (next run) sees today's spend from the file.
    const next = new BudgetTracker({ limits: { maxCostUsd: 5, dailyCostUsd: 0.6, maxTokens: 1_000_000 }, file: budgetFile });
    assert.match(next.check('other').message ?? '', /daily cost cap reached/);
  });

  it('counts tokens and says the cost is unknown for a model without a price', async () => {
    const { outcome, ledger } = await run(happy, { model: 'mystery-model-9' });
    assert.ok(outcome.patch);
    assert.equal(outcome.costUsd, null);
    assert.equal(ledger[0].costUsd, null);
    assert.ok(outcome.promptTokens > 300, 'counted by our own estimate: the server reported less than was sent');
  });

  it('retries a 429 with Retry-After inside a run and still produces the patch', async () => {
    const { outcome, fake } = await run((req) => (req.n === 1 ? { status: 429, headers: { 'retry-after': '0' } } : reply(req, happy[Math.min(req.n - 1, 3) - 1])));
    assert.ok(outcome.patch, outcome.reason);
    assert.equal(fake.requests.length, 4);
  });

  it('ends the attempt with LlmTimeout when the server stalls past the timeout', async () => {
    const { outcome } = await run(() => ({ stall: true }), { limits: { ...limits, timeoutMs: 300 } });
    assert.equal(outcome.patch, null);
    assert.equal(outcome.error?.code, 'LlmTimeout');
    assert.match(outcome.reason, /did not answer within/);
  });

  it('throws Cancelled when the caller aborts while the model is thinking', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 150);
    await assert.rejects(
      run(() => ({ stall: true }), { signal: ctl.signal }),
      (e: unknown) => (e as { code?: string }).code === 'Cancelled',
    );
  });

  it('tells the model when the implicated file is too big to include, instead of sending it', async () => {
    writeFileSync(join(ws, 'app.py'), APP + '#'.repeat(300 * 1024));
    const { fake } = await run([{ toolCalls: [{ name: 'finish', arguments: { summary: 'x' } }] }]);
    const user = fake.requests[0].body.messages[1].content as string;
    assert.match(user, /The text of the implicated file is not included: see the note below\.\n----- BEGIN NOTE [0-9a-f]{16} -----\nit is \d+ bytes, over the/);
    assert.ok(user.length < 50_000);
  });

  for (const streamed of [true, false]) {
    it(`completes a run against servers that demand reasoning and thought signatures back (${streamed ? 'stream' : 'json'})`, async () => {
      const sig = { extra_content: { google: { thought_signature: 'sig-abc' } } };
      const { outcome, fake } = await run(
        (req) => {
          // Like DeepSeek thinking mode and Gemini 3: an assistant tool-call message without them is a 400.
          for (const m of req.body.messages) {
            if (m.role !== 'assistant' || !m.tool_calls) continue;
            if (m.reasoning_content !== 'because b is 0') return { status: 400, body: { error: { message: 'Missing reasoning_content field in the assistant message' } } };
            if (m.tool_calls[0].extra_content?.google?.thought_signature !== 'sig-abc') return { status: 400, body: { error: { message: 'Function call is missing a thought_signature' } } };
          }
          const turn = happy[Math.min(req.n, 3) - 1];
          return reply(req, { ...turn, finishReason: 'stop', messageExtra: { reasoning_content: 'because b is 0' }, toolCallExtra: sig }, { gemini: true });
        },
        { stream: streamed },
      );
      assert.ok(outcome.patch, outcome.reason);
      assert.equal(fake.requests.length, 3);
    });
  }

  it('asks before each request when confirmBeforeSend is on: shows the masked payload, and a decline sends nothing', async () => {
    writeFileSync(join(ws, '.env'), 'TOKEN=confirm-canary-4242\n');
    writeFileSync(join(ws, 'app.py'), APP.replace('import os', 'import os\nT = "confirm-canary-4242"'));
    const shown: string[] = [];
    const declined = await run(happy, { confirmSend: async (r) => (shown.push(r.payload ?? ''), false) });
    assert.equal(declined.outcome.declined, true);
    assert.equal(declined.fake.requests.length, 0, 'nothing was sent');
    assert.equal(declined.ledger.length, 0);
    assert.ok(shown[0].includes('ZeroDivisionError') && !shown[0].includes('confirm-canary-4242') && shown[0].includes('[REDACTED:env-value]'));
    await fake!.close();
    fake = undefined;
    let asked = 0;
    const accepted = await run(happy, { confirmSend: async () => (asked++, true) });
    assert.ok(accepted.outcome.patch, accepted.outcome.reason);
    assert.equal(asked, 3);
  });
});
