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
