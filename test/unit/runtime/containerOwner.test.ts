import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { isOrphan, LABEL, ownerLabels } from '../../../src/core/runtime/containerOwner';

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('container ownership', () => {
  it('labels containers with this process, host and start time', () => {
    const l = ownerLabels();
    assert.equal(l[LABEL.ownerPid], String(process.pid));
    assert.equal(l[LABEL.ownerHost], os.hostname());
    assert.match(l[LABEL.ownerStart], /^(ticks|ms):\d+$/);
  });
  it('does not treat a container of this live process as orphaned', () => {
    assert.equal(isOrphan(ownerLabels()), false);
  });
  it('treats a container whose owner pid has exited as orphaned', () => {
    assert.equal(isOrphan({ ...ownerLabels(), [LABEL.ownerPid]: String(deadPid()) }), true);
  });
  it('treats a live pid with a different start time as a reused pid (orphaned)', function () {
    const l = ownerLabels();
    if (!l[LABEL.ownerStart].startsWith('ticks:')) this.skip();
    assert.equal(isOrphan({ ...l, [LABEL.ownerStart]: 'ticks:1' }), true);
  });
  it('leaves containers owned on another host alone', () => {
    assert.equal(isOrphan({ ...ownerLabels(), [LABEL.ownerPid]: String(deadPid()), [LABEL.ownerHost]: 'some-other-host' }), false);
  });
});
