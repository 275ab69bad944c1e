import { strict as assert } from 'node:assert';
import type { CrashReport } from '../../../src/core/crash/crashReport';
import { classifyExit, countOccurrence, decideOnCrash, newIncidentHistory, syntheticExitCrash, watchFailureOnExit, type CrashSituation } from '../../../src/core/heal/incidentPolicy';

const crash: CrashReport = syntheticExitCrash('ZeroDivisionError', 'division by zero');
const situation = (over: Partial<CrashSituation> = {}): CrashSituation => ({
  crash, at: 100_000, watching: null, inProgress: null, paused: false, cooldownMs: 30_000, history: newIncidentHistory(), ...over,
});

describe('incident policy', () => {
  it('reads an OOM kill, a bare SIGKILL 137 and a non-zero exit as crashes, code 0 as clean', () => {
    const oom = classifyExit({ exitCode: 137, signal: null, oomKilled: true, memoryLimitMb: 128 }, 512);
    assert.equal(oom.kind, 'crash');
    assert.deepEqual(oom.kind === 'crash' && oom.resourceKill, { memoryLimitMb: 128 });
    const killed = classifyExit({ exitCode: 137, signal: null, oomKilled: false }, 256);
    assert.deepEqual(killed.kind === 'crash' && killed.resourceKill, { memoryLimitMb: 256 }, 'the configured limit when the engine does not say');
    const exit3 = classifyExit({ exitCode: 3, signal: null, oomKilled: false }, 256);
    assert.equal(exit3.kind === 'crash' && exit3.crash.message, 'the app exited with code 3 without a stack trace');
    assert.equal(classifyExit({ exitCode: 0, signal: null, oomKilled: false }, 256).kind, 'clean');
    assert.equal(classifyExit({ exitCode: null, signal: null, oomKilled: false }, 256).kind, 'none');
  });

  it('fails the in-place watch on any exit but a clean one', () => {
    assert.equal(watchFailureOnExit({ exitCode: 0, signal: null, oomKilled: false }), null);
    assert.match(watchFailureOnExit({ exitCode: 1, signal: null, oomKilled: false }) ?? '', /exited with code 1 after the fix/);
    assert.match(watchFailureOnExit({ exitCode: 137, signal: null, oomKilled: true }) ?? '', /killed for memory after the fix/);
  });

  it('names the evidence of a failed watch (the exit and the last line of that run), and never counts an earlier run', () => {
    assert.equal(watchFailureOnExit({ exitCode: 1, signal: null, oomKilled: false, run: 3 }, 'ValueError: bad'), 'the app exited with code 1 after the fix (last line: run 3: "ValueError: bad")');
    const traced: CrashReport = { ...crash, text: 'Traceback (most recent call last):\nZeroDivisionError: division by zero', run: 4 };
    assert.deepEqual(decideOnCrash(situation({ crash: traced, watching: crash.signature, watchingRun: 4 })), { action: 'failWatch', reason: 'ZeroDivisionError came back after the fix: run 4: "ZeroDivisionError: division by zero"' });
    assert.deepEqual(decideOnCrash(situation({ crash: { ...traced, run: 3 }, watching: crash.signature, watchingRun: 4 })), { action: 'lateCrash', run: 3 }, 'a late trace of the run before the restart');
  });

  it('fixes a first crash; a crash while watching fails the watch, naming whether it is the same one', () => {
    assert.deepEqual(decideOnCrash(situation()), { action: 'fix' });
    assert.deepEqual(decideOnCrash(situation({ watching: crash.signature })), { action: 'failWatch', reason: 'ZeroDivisionError came back after the fix: "division by zero"' });
    const other = decideOnCrash(situation({ watching: 'KeyError|x' }));
    assert.equal(other.action, 'failWatch');
    assert.match(other.action === 'failWatch' ? other.reason : '', /a different crash appeared after the fix/);
  });

  it('records a crash during an incident instead of fixing twice, and says when it is a different one', () => {
    assert.deepEqual(decideOnCrash(situation({ inProgress: crash.signature })), { action: 'record', other: false });
    assert.deepEqual(decideOnCrash(situation({ inProgress: 'KeyError|x' })), { action: 'record', other: true });
  });

  it('holds a memory kill, a repeat within the cool-down and a paused loop; the cool-down ends', () => {
    assert.deepEqual(decideOnCrash(situation({ resourceKill: { memoryLimitMb: 64 } })), { action: 'resourceKill' });
    const history = newIncidentHistory();
    history.endedAt.set(crash.signature, 90_000);
    assert.deepEqual(decideOnCrash(situation({ history })), { action: 'coolDown' });
    assert.deepEqual(decideOnCrash(situation({ history, at: 120_001 })), { action: 'fix' });
    assert.deepEqual(decideOnCrash(situation({ paused: true })), { action: 'paused' });
  });

  it('counts occurrences per signature', () => {
    const h = newIncidentHistory();
    assert.equal(countOccurrence(h, 'a'), 1);
    assert.equal(countOccurrence(h, 'a'), 2);
    assert.equal(countOccurrence(h, 'b'), 1);
  });
});
