import * as assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { exitFromInspect, overlap } from '../../../src/core/runtime/dockerSession';

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
