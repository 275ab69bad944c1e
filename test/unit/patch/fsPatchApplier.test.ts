import * as assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsPatchApplier } from '../../../src/core/patch/fsPatchApplier';
import type { PendingPatch, PatchFile } from '../../../src/core/patch/pendingPatch';
import { isAutoDevError } from '../../../src/core/errors';

const patchOf = (files: PatchFile[]): PendingPatch => ({ id: 'p1', files, diff: '', summary: 's', provider: 'builtin', model: 'm', attempt: 1, promptTokens: 0, completionTokens: 0 });

describe('FsPatchApplier', () => {
  let ws: string;
  const applier = new FsPatchApplier();
  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'autodev-apply-'));
    writeFileSync(join(ws, 'a.py'), 'a = 1\n');
    writeFileSync(join(ws, 'b.py'), 'b = 1\n');
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  it('applies every file, creates new ones, keeps the file mode and leaves no temp files', async () => {
    chmodSync(join(ws, 'a.py'), 0o755);
    const p = patchOf([
      { path: 'a.py', original: 'a = 1\n', patched: 'a = 2\n' },
      { path: 'pkg/new.py', original: null, patched: 'x = 1\n' },
    ]);
    await applier.apply(ws, p);
    assert.equal(readFileSync(join(ws, 'a.py'), 'utf8'), 'a = 2\n');
    assert.equal(readFileSync(join(ws, 'pkg/new.py'), 'utf8'), 'x = 1\n');
    assert.equal(statSync(join(ws, 'a.py')).mode & 0o777, 0o755);
    assert.deepEqual(readdirSync(ws).filter((n) => n.includes('autodev')), []);
    await applier.revert(ws, p);
    assert.equal(readFileSync(join(ws, 'a.py'), 'utf8'), 'a = 1\n');
    assert.equal(existsSync(join(ws, 'pkg/new.py')), false, 'revert deletes created files');
  });

  it('refuses with PatchConflict and writes nothing when any file changed since the patch was made', async () => {
    writeFileSync(join(ws, 'b.py'), 'b = 99\n');
    const p = patchOf([
      { path: 'a.py', original: 'a = 1\n', patched: 'a = 2\n' },
      { path: 'b.py', original: 'b = 1\n', patched: 'b = 2\n' },
    ]);
    await assert.rejects(applier.apply(ws, p), (e) => isAutoDevError(e, 'PatchConflict') && /b\.py changed/.test(e.message));
    assert.equal(readFileSync(join(ws, 'a.py'), 'utf8'), 'a = 1\n', 'the unchanged file was not written either');
  });

  it('refuses to create a file that appeared meanwhile', async () => {
    writeFileSync(join(ws, 'c.py'), 'mine\n');
    await assert.rejects(applier.apply(ws, patchOf([{ path: 'c.py', original: null, patched: 'x' }])), (e) => isAutoDevError(e, 'PatchConflict'));
    assert.equal(readFileSync(join(ws, 'c.py'), 'utf8'), 'mine\n');
  });

  it('restores the files already written, byte for byte, when a later write fails (PatchWriteFailed: not a conflict, nothing to re-plan)', async () => {
    const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x61, 0x20, 0x3d, 0x20, 0x31, 0x0d, 0x0a]); // BOM + CRLF
    writeFileSync(join(ws, 'a.py'), bytes);
    writeFileSync(join(ws, 'blocker'), 'a regular file where a directory is needed\n');
    const p = patchOf([
      { path: 'a.py', original: bytes.toString('utf8'), patched: 'a = 2\n' },
      { path: 'newdir/x.py', original: null, patched: 'x\n' },
      { path: 'blocker/y.py', original: null, patched: 'y\n' },
    ]);
    await assert.rejects(applier.apply(ws, p), (e) => isAutoDevError(e, 'PatchWriteFailed') && /every file was restored/.test(e.message));
    assert.ok(readFileSync(join(ws, 'a.py')).equals(bytes), 'a.py is back byte for byte');
    assert.equal(existsSync(join(ws, 'newdir')), false, 'the created file and its directory are gone');
  });

  it('re-checks the path policy at apply time (a symlink planted after the patch was made)', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'autodev-outside-'));
    try {
      mkdirSync(join(ws, 'lib'));
      const p = patchOf([{ path: 'lib/evil.py', original: null, patched: 'x' }]);
      rmSync(join(ws, 'lib'), { recursive: true });
      symlinkSync(outside, join(ws, 'lib'));
      await assert.rejects(applier.apply(ws, p), (e) => isAutoDevError(e, 'PathRefused'));
      assert.deepEqual(readdirSync(outside), []);
      await assert.rejects(applier.apply(ws, patchOf([{ path: '.env', original: null, patched: 'X=1' }])), (e) => isAutoDevError(e, 'PathRefused'));
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('does not clobber edits made after the patch was applied when reverting', async () => {
    const p = patchOf([{ path: 'a.py', original: 'a = 1\n', patched: 'a = 2\n' }]);
    await applier.apply(ws, p);
    writeFileSync(join(ws, 'a.py'), 'a = 3  # mine\n');
    await assert.rejects(applier.revert(ws, p), (e) => isAutoDevError(e, 'PatchConflict'));
    assert.equal(readFileSync(join(ws, 'a.py'), 'utf8'), 'a = 3  # mine\n');
  });
});
