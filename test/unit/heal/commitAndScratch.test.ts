import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { CrashReport } from '../../../src/core/crash/crashReport';
import type { PendingPatch } from '../../../src/core/agent/llmProvider';
import { buildCommitMessage, commitSubject } from '../../../src/core/heal/commitMessage';
import { createScratchCopy, removeScratchCopy } from '../../../src/core/heal/scratchCopy';
import { createTempWorkspace } from '../../support/tempWorkspace';

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

describe('scratch copy', () => {
  let ws: string;
  beforeEach(() => {
    ws = createTempWorkspace('autodev-ws-', {
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.gitignore': '.env\n',
      '.env': 'TOKEN=abc\n',
      'src/app.py': 'print(1/0)\n',
    });
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  it('copies the whole working tree including git-ignored files, without .git, and overlays the patch', async () => {
    const dir = await createScratchCopy(ws, [{ path: 'src/app.py', original: 'print(1/0)\n', patched: 'print(1)\n' }, { path: 'src/new.py', original: null, patched: 'x = 1\n' }]);
    try {
      assert.equal(readFileSync(path.join(dir, '.env'), 'utf8'), 'TOKEN=abc\n');
      assert.equal(existsSync(path.join(dir, '.git')), false);
      assert.equal(readFileSync(path.join(dir, 'src', 'app.py'), 'utf8'), 'print(1)\n');
      assert.equal(readFileSync(path.join(dir, 'src', 'new.py'), 'utf8'), 'x = 1\n');
      assert.equal(readFileSync(path.join(ws, 'src', 'app.py'), 'utf8'), 'print(1/0)\n', 'the workspace is untouched');
      assert.equal(statSync(dir).mode & 0o777, 0o755, 'readable by the container user');
    } finally {
      await removeScratchCopy(dir);
    }
    assert.equal(existsSync(dir), false);
  });

  it('refuses a patch path that leaves the copy', async () => {
    await assert.rejects(createScratchCopy(ws, [{ path: '../escape.py', original: null, patched: 'x' }]), /outside the scratch copy/);
  });
});
