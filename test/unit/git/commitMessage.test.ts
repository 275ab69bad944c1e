import { strict as assert } from 'node:assert';
import type { CrashReport } from '../../../src/core/crash/crashReport';
import type { PendingPatch } from '../../../src/core/patch/pendingPatch';
import { buildCommitMessage, commitSubject } from '../../../src/core/git/commitMessage';

const crash: CrashReport = {
  language: 'python',
  type: 'ZeroDivisionError',
  message: 'division by zero',
  frames: [],
  userFrame: { file: '/app/app.py', line: 13, workspaceFile: 'app.py', function: 'average_order_value' },
  signature: 'ZeroDivisionError|average_order_value|app.py',
  lines: [3, 9],
  text: 'Traceback (most recent call last):\n  File "/app/app.py", line 13, in average_order_value\nZeroDivisionError: division by zero',
};
const patch: PendingPatch = {
  id: 'p1', files: [{ path: 'app.py', original: 'a', patched: 'b' }], diff: '-a\n+b', summary: 'guarded the division',
  provider: 'openai', model: 'gpt-x', attempt: 2, promptTokens: 1, completionTokens: 1,
};

describe('commit message', () => {
  it('has the auto-fix subject with type, file and line', () => {
    assert.equal(commitSubject(crash, patch), '🩹 Auto-fix: ZeroDivisionError in app.py:13');
    assert.equal(commitSubject({ ...crash, type: 'java.lang.NullPointerException' }, patch), '🩹 Auto-fix: NullPointerException in app.py:13');
  });

  it('carries message, signature, provider/model, attempts, verification, the Reproduced-By line and the trace', () => {
    const msg = buildCommitMessage({
      crash,
      patch,
      attempts: 2,
      verification: { passed: true, checks: [{ name: 'replay after', passed: true, detail: 'GET /stats -> 200' }], reproducer: { kind: 'http', description: 'GET /stats', before: '500', after: '200', reproduced: true } },
    });
    const [subject, blank] = msg.split('\n');
    assert.equal(subject, '🩹 Auto-fix: ZeroDivisionError in app.py:13');
    assert.equal(blank, '');
    for (const part of ['ZeroDivisionError: division by zero', 'Signature: ZeroDivisionError|average_order_value|app.py', 'Provider: openai / gpt-x', 'Attempts: 2', 'Verification: passed', 'Reproduced-By: GET /stats -> 500 before, 200 after', 'Trace:', '    ZeroDivisionError: division by zero']) {
      assert.ok(msg.includes(part), part);
    }
  });
});

describe('commit message evidence', () => {
  it('puts the crashing request and the differential sample side by side, before and after, and names a masking patch', () => {
    const msg = buildCommitMessage({
      crash,
      patch,
      attempts: 1,
      verification: {
        passed: true,
        masks: 'GET /todos?filter=done now answers an empty list where its earlier answers had items: this masks the error',
        checks: [],
        reproducer: { kind: 'http', description: 'POST /todos', before: '500', after: '201', reproduced: true },
        evidence: {
          crash: { request: 'POST /todos', before: '500 application/json {"error":"internal"}', after: '201 application/json {"id":3,"title":"milk"}', differences: [], verdict: 'ok', detail: 'like its route' },
          samples: [{ request: 'GET /todos', before: '200 application/json [{"id":1}]', after: '200 application/json [{"id":1}]', differences: [] }],
        },
      },
    });
    const body = msg.split('\n');
    const at = body.indexOf('Evidence (unpatched → patched scratch copy):');
    assert.ok(at > 0, msg);
    assert.deepEqual(body.slice(at + 1, at + 7), [
      '  crashing request: POST /todos',
      '    before: 500 application/json {"error":"internal"}',
      '    after:  201 application/json {"id":3,"title":"milk"}',
      '  unchanged: GET /todos',
      '    before: 200 application/json [{"id":1}]',
      '    after:  200 application/json [{"id":1}]',
    ]);
    assert.ok(msg.includes('Masks-The-Error: GET /todos?filter=done now answers an empty list'), msg);
  });
});
