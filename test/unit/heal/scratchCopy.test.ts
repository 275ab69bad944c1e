import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createScratchCopy, removeScratchCopy } from '../../../src/core/heal/scratchCopy';
import { createTempWorkspace } from '../../support/tempWorkspace';

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
    await assert.rejects(createScratchCopy(ws, [{ path: '../escape.py', original: null, patched: 'x' }]), /leaves the workspace/);
  });

  it('never writes through a symlink the copy kept: not into the real workspace, not outside (issue 15, attack 4)', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'autodev-outside-'));
    try {
      writeFileSync(path.join(outside, 'victim.py'), 'untouched\n');
      symlinkSync(path.join(ws, 'src'), path.join(ws, 'into-ws')); // absolute: the copy's link points at the real workspace
      symlinkSync('..', path.join(ws, 'up')); // relative: in the copy it names the copy's parent (outside it)
      symlinkSync(path.join(outside, 'victim.py'), path.join(ws, 'victim.py'));
      for (const p of ['into-ws/app.py', 'up/escape.py', 'victim.py', 'into-ws/deeper/new.py']) {
        await assert.rejects(createScratchCopy(ws, [{ path: p, original: null, patched: 'planted\n' }]), /symlink/, p);
      }
      assert.equal(readFileSync(path.join(ws, 'src', 'app.py'), 'utf8'), 'print(1/0)\n');
      assert.equal(existsSync(path.join(ws, 'src', 'deeper')), false);
      assert.equal(readFileSync(path.join(outside, 'victim.py'), 'utf8'), 'untouched\n');
      assert.deepEqual(readdirSync(tmpdir()).filter((n) => n === 'escape.py'), []);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
