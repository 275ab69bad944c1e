import { strict as assert } from 'node:assert';
import type { CrashReport } from '../../../src/core/crash/crashReport';
import { crashEvidence, lineEvidence, responseEvidence } from '../../../src/core/heal/verdictEvidence';

const crash = (over: Partial<CrashReport> = {}): CrashReport => ({
  language: 'python', type: 'ZeroDivisionError', message: 'division by zero', frames: [], userFrame: null, signature: 's', lines: [1, 4],
  text: 'Traceback (most recent call last):\n  File "/app/app.py", line 6, in share\n    return total / len(people)\nZeroDivisionError: division by zero\n',
  ...over,
});

describe('verdict evidence (a "failed" names the line or response it rests on)', () => {
  it('names the exception line of a crash and the run that wrote it', () => {
    assert.equal(crashEvidence(crash({ run: 2 })), 'run 2: "ZeroDivisionError: division by zero"');
    assert.equal(crashEvidence(crash({ text: undefined })), '"ZeroDivisionError: division by zero"');
  });

  it('names the status and the first line of a response body, or why there was none', () => {
    assert.equal(responseEvidence({ status: 500, body: '\n<h1>Internal Server Error</h1>\n<p>x</p>' }), '500 "<h1>Internal Server Error</h1>"');
    assert.equal(responseEvidence({ status: 204, body: '' }), '204');
    assert.equal(responseEvidence({ status: null, error: 'socket hang up', body: '' }), 'no response (socket hang up)');
  });

  it('keeps evidence to one short line (hostile apps print huge or multi-line text)', () => {
    const e = lineEvidence(`${'A'.repeat(5000)}\nsecond line`, 7);
    assert.ok(e.startsWith('run 7: "AAA') && e.length < 220 && !e.includes('\n'), e);
  });
});
