import * as assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { exitFromInspect } from '../../../src/core/runtime/containerExitInfo';
import { HeldEmitter } from '../../../src/core/runtime/heldEmitter';
import { overlap } from '../../../src/core/runtime/logBackfill';

const inspect = (state: Partial<Docker.ContainerInspectInfo['State']>, memory = 0) =>
  ({ State: state, HostConfig: { Memory: memory } }) as unknown as Docker.ContainerInspectInfo;

describe('exit reporting', () => {
  it('reports a plain exit code without a signal', () => {
    assert.deepEqual(exitFromInspect(inspect({ ExitCode: 1, OOMKilled: false })), { exitCode: 1, signal: null, oomKilled: false });
  });
  it('names the signal for 128+n exits', () => {
    assert.equal(exitFromInspect(inspect({ ExitCode: 137, OOMKilled: false })).signal, 'SIGKILL');
    assert.equal(exitFromInspect(inspect({ ExitCode: 139, OOMKilled: false })).signal, 'SIGSEGV');
  });
  it('reports an OOM kill with the memory limit in MiB, not as SIGKILL', () => {
    assert.deepEqual(exitFromInspect(inspect({ ExitCode: 137, OOMKilled: true }, 64 * 1048576)), {
      exitCode: 137,
      signal: null,
      oomKilled: true,
      memoryLimitMb: 64,
    });
  });
});

describe('backfill de-duplication', () => {
  it('skips the lines already shown and keeps the new ones', () => {
    assert.equal(overlap(['a', 'b', 'c'], ['b', 'c', 'd', 'e']), 2);
  });
  it('does not mistake a repeated line for the resume point', () => {
    assert.equal(overlap(['start', 'x'], ['x', 'y', 'x']), 1);
  });
  it('keeps everything when nothing overlaps', () => {
    assert.equal(overlap(['a'], ['b', 'c']), 0);
    assert.equal(overlap([], ['b']), 0);
  });
});

describe('early output held for the first subscribers', () => {
  it('delivers events fired before anyone listened, in order, after the synchronous set-up of all subscribers', async () => {
    const lines = new HeldEmitter<string>(100);
    const exits = new HeldEmitter<number>(10);
    lines.fire('a');
    lines.fire('b');
    exits.fire(1);
    const seen: string[] = [];
    lines.event((l) => seen.push(`line ${l}`));
    exits.event((e) => seen.push(`exit ${e}`));
    let ready = false;
    exits.event(() => assert.ok(ready, 'held exit delivered before the subscriber finished its set-up'));
    ready = true;
    assert.deepEqual(seen, []);
    await Promise.resolve();
    assert.deepEqual(seen, ['line a', 'line b', 'exit 1']);
    lines.fire('c');
    assert.deepEqual(seen.slice(-1), ['line c']);
  });

  it('keeps only the newest events when the backlog overflows', async () => {
    const e = new HeldEmitter<number>(10);
    for (let i = 0; i < 25; i++) e.fire(i);
    const seen: number[] = [];
    e.event((n) => seen.push(n));
    await Promise.resolve();
    assert.equal(seen[seen.length - 1], 24);
    assert.ok(seen.length <= 10 && seen.length >= 9, `kept ${seen.length}`);
  });
});
