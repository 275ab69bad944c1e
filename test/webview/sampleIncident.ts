/** A realistic incident (Flask app, ZeroDivisionError in /stats) as protocol messages, for tests and the screenshot. */
import type { FixRecord } from '../../src/core/heal/healEvents';
import type { AgentActivity, LedgerRecord } from '../../src/core/agent/ledger';
import type { VerificationResult } from '../../src/core/replay/replayResults';
import type { CrashDto, LogLineDto, PatchDto } from '../../src/protocol/dtos';
import type { CrashReport } from '../../src/core/crash/crashReport';
import type { PendingPatch } from '../../src/core/patch/pendingPatch';
import { patchSummary } from '../../src/vscode/missionControlFeed';

export const T0 = Date.UTC(2026, 10, 25, 20, 1, 3);

/** The crash as the core reports it (what the host feed receives). */
export function sampleCrashReport(): CrashReport {
  return {
      language: 'python',
      type: 'ZeroDivisionError',
      message: 'division by zero',
      frames: [
        { file: '/app/stats.py', line: 14, function: 'average', workspaceFile: 'stats.py', user: true },
        { file: '/app/app.py', line: 31, function: 'stats', workspaceFile: 'app.py', user: true },
        { file: '/usr/local/lib/python3.11/site-packages/flask/app.py', line: 1799, function: 'dispatch_request', user: false },
      ],
      userFrame: { file: '/app/stats.py', line: 14, workspaceFile: 'stats.py', function: 'average' },
      signature: 'ZeroDivisionError|average|stats.py',
      lines: [120, 131],
  };
}

/** The crash as the webview receives it. */
export function sampleCrash(over: Partial<CrashDto> = {}): CrashDto {
  return { at: T0 + 4_200, occurrences: 3, crash: sampleCrashReport(), ...over };
}

export const sampleVerification: VerificationResult = {
  passed: true,
  checks: [
    { name: 'reproducer', passed: true, detail: 'GET /stats crashed before, 200 after' },
    { name: 'no 5xx', passed: true, detail: '0 of 14 requests' },
    { name: 'no recurrence', passed: true, detail: 'quiet for 10 s' },
  ],
  reproducer: { kind: 'http', description: 'GET /stats', before: '500', after: '200', reproduced: true },
  outputTail: [' * Running on http://0.0.0.0:5000', '127.0.0.1 - - "GET /stats HTTP/1.1" 200 -'],
};

/** The patch as the core proposes it (with its files' bodies). */
export function samplePendingPatch(id = 'patch-1'): PendingPatch {
  return {
      id,
      files: [{ path: 'stats.py', original: 'x', patched: 'y' }],
      diff: [
        '--- a/stats.py',
        '+++ b/stats.py',
        '@@ -11,5 +11,7 @@ def average(values):',
        '     """Mean of the recorded response times."""',
        '-    return sum(values) / len(values)',
        '+    if not values:',
        '+        return 0.0',
        '+    return sum(values) / len(values)',
        ' ',
      ].join('\n'),
      summary: 'Return 0.0 for an empty list instead of dividing by zero.',
      provider: 'openai',
      model: 'gpt-4.1-mini',
      attempt: 1,
      promptTokens: 2140,
      completionTokens: 188,
      costUsd: 0.0012,
  };
}

/** The patch as the webview receives it (no file bodies). */
export function samplePatch(id = 'patch-1'): PatchDto {
  return { verification: sampleVerification, patch: patchSummary(samplePendingPatch(id)) };
}

export const sampleActivity: AgentActivity[] = [
  { attempt: 1, tool: 'read_file', args: { path: 'stats.py' }, ok: true, result: '28 lines', at: T0 + 5_100 },
  { attempt: 1, tool: 'list_files', args: { path: '.' }, ok: true, result: 'app.py, stats.py, requirements.txt', at: T0 + 5_600 },
  { attempt: 1, tool: 'edit_file', args: { path: 'stats.py', old_text: 'return sum', new_text: 'if not values' }, ok: true, result: 'edited stats.py', at: T0 + 6_900 },
  { attempt: 1, tool: 'finish', args: { summary: 'guard empty list' }, ok: true, result: 'done', at: T0 + 7_200 },
];

export const sampleLedger: LedgerRecord[] = [
  {
    id: 'req-1', attempt: 1, provider: 'openai', model: 'gpt-4.1-mini', baseUrl: 'https://openrouter.ai/api/v1',
    files: [{ path: 'stats.py', lines: [1, 28] }], logLines: 40, redactions: { 'api-key': 1, email: 2 },
    tokens: { prompt: 2140, completion: 188 }, costUsd: 0.0012, at: T0 + 5_000,
    payload: 'Stack trace:\nZeroDivisionError: division by zero\n  File "/app/stats.py", line 14\nAPI_KEY=«redacted:api-key»',
  },
];

export function sampleFixes(): FixRecord[] {
  return [
    {
      id: 'fix-0', signature: 'KeyError|load|config.py', crashType: 'KeyError', file: 'config.py', line: 9, status: 'committed',
      summary: 'Default PORT when unset', provider: 'builtin', model: 'rules', attempts: 1, crashedAt: T0 - 600_000,
      healedAt: T0 - 596_300, mttrMs: 3_700, commit: 'a1b2c3d4e5f6',
    },
    {
      id: 'fix-00', signature: 'TypeError|render|views.py', crashType: 'TypeError', file: 'views.py', line: 52, status: 'rejected',
      summary: 'str + int', provider: 'openai', model: 'gpt-4.1-mini', attempts: 2, crashedAt: T0 - 300_000,
    },
    {
      id: 'patch-1', signature: 'ZeroDivisionError|average|stats.py', crashType: 'ZeroDivisionError', file: 'stats.py', line: 14,
      status: 'proposed', summary: 'guard empty list', provider: 'openai', model: 'gpt-4.1-mini', attempts: 1, crashedAt: T0 + 4_200,
    },
  ];
}

export function sampleLogs(n = 60): LogLineDto[] {
  const out: LogLineDto[] = [];
  const text = (i: number) =>
    i % 9 === 0
      ? `\x1b[33mWARNING\x1b[0m slow query on /stats (${i * 3} ms)`
      : `\x1b[2m127.0.0.1\x1b[0m - - "GET /api/items?page=${i} HTTP/1.1" \x1b[32m200\x1b[0m -`;
  out.push({ seq: 1, stream: 'stdout', text: ' * Serving Flask app \x1b[1m\'app\'\x1b[0m', time: T0 });
  out.push({ seq: 2, stream: 'stdout', text: ' * Running on \x1b[36mhttp://0.0.0.0:5000\x1b[0m', time: T0 + 10 });
  for (let i = 3; i < n; i++) out.push({ seq: i, stream: 'stdout', text: text(i), time: T0 + i * 50 });
  const tb = [
    'Traceback (most recent call last):',
    '  File "/app/app.py", line 31, in stats',
    '    return jsonify(avg=average(times))',
    '  File "/app/stats.py", line 14, in average',
    '    return sum(values) / len(values)',
    '\x1b[1;31mZeroDivisionError\x1b[0m: division by zero',
  ];
  tb.forEach((t, j) => out.push({ seq: n + j, stream: 'stderr', text: t, time: T0 + 4_200 }));
  return out;
}
