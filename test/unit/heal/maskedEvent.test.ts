import * as assert from 'node:assert/strict';
import { maskHealEvent } from '../../../src/core/heal/maskedEvent';
import type { HealEvent } from '../../../src/core/heal/healEvents';
import { createSecretMasker } from '../../../src/core/privacy/secretMasker';

describe('heal events as consumers see them', () => {
  const masker = createSecretMasker({ secrets: ['canary-key-0123456789'] });

  it('masks state reasons, crash text, verification output and commit messages', () => {
    const events: HealEvent[] = [
      { kind: 'state', state: 'CRASHED', previous: 'RUNNING', trigger: 'crashDetected', deploymentId: 1, at: 1, reason: 'RuntimeError: bad key canary-key-0123456789' },
      { kind: 'verify', attempt: 1, result: { passed: false, checks: [{ name: 'no recurrence', passed: false, detail: 'printed canary-key-0123456789' }], outputTail: [Buffer.from('K=canary-key-0123456789').toString('base64')] } },
      { kind: 'commit', sha: 'abc', message: 'Fix\n\nTrace: canary-key-0123456789' },
      { kind: 'error', code: 'BuildFailed', message: 'redis://:canary-key-0123456789@cache failed' },
    ];
    for (const e of events) assert.ok(!JSON.stringify(maskHealEvent(e, masker)).includes('canary-key-0123456789') && !JSON.stringify(maskHealEvent(e, masker)).includes(Buffer.from('K=canary').toString('base64').slice(0, 10)), e.kind);
  });

  it('keeps the file bodies a patch applies, masks its diff and summary', () => {
    const e: HealEvent = {
      kind: 'patch',
      patch: { id: 'p', files: [{ path: 'app.py', original: 'KEY = "canary-key-0123456789"\n', patched: 'KEY = "canary-key-0123456789"\nx = 1\n' }], diff: ' KEY = "canary-key-0123456789"\n+x = 1\n', summary: 'kept canary-key-0123456789', provider: 'openai', model: 'm', attempt: 1, promptTokens: 0, completionTokens: 0 },
      verification: { passed: true, checks: [] },
    };
    const m = maskHealEvent(e, masker) as Extract<HealEvent, { kind: 'patch' }>;
    assert.equal(m.patch.files[0].patched, 'KEY = "canary-key-0123456789"\nx = 1\n', 'what is applied is the real file');
    assert.ok(!m.patch.diff.includes('canary-key') && !m.patch.summary.includes('canary-key'));
    assert.equal(e.patch.diff.includes('canary-key'), true, 'the original event is not changed');
  });
});
