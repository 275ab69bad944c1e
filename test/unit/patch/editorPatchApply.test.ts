/**
 * applyThroughEditor against a fake editor that behaves like VS Code's TextFileEditorModel where it matters: a buffer
 * is dirty until saved, a save can fail (e.g. "file modified since" after another program touched the file) or hang
 * on a busy machine, a reload shows the disk again. Only someone else's text may end in PatchConflict.
 */
import { strict as assert } from 'node:assert';
import { isAutoDevError } from '../../../src/core/errors';
import { applyThroughEditor, type EditorFiles, type EditorTarget } from '../../../src/core/patch/editorPatchApply';

type SaveOutcome = 'ok' | 'fail' | 'throw' | 'hang' | 'fail-but-writes';

class FakeEditor implements EditorFiles {
  readonly disks = new Map<string, string>();
  readonly buffers = new Map<string, { text: string; dirty: boolean }>();
  readonly calls: string[] = [];
  /** What each save does, in order; 'ok' once the list is used up. */
  saves: SaveOutcome[] = [];
  /** Edits refused before one goes through. */
  refuseEdits = 0;
  readOnly = false;
  /** Runs after the n-th call of the named operation (to model the user or another program acting meanwhile). */
  after: { op: string; n?: number; run: () => void }[] = [];
  private counts = new Map<string, number>();

  private did(op: string): void {
    this.calls.push(op);
    const n = (this.counts.get(op) ?? 0) + 1;
    this.counts.set(op, n);
    for (const a of this.after) if (a.op === op && (a.n ?? 1) === n) a.run();
  }

  open(file: string): void {
    const text = this.disks.get(file);
    if (text === undefined) throw new Error(`no ${file}`);
    this.buffers.set(file, { text, dirty: false });
  }

  buffer(file: string) {
    const b = this.buffers.get(file);
    return b ? { ...b } : undefined;
  }

  async disk(file: string): Promise<string | null> {
    return this.disks.get(file) ?? null;
  }

  async edit(changes: { file: string; text: string | null }[]): Promise<boolean> {
    if (this.refuseEdits > 0) {
      this.refuseEdits--;
      this.did('edit-refused');
      return false;
    }
    for (const c of changes) {
      if (c.text === null) {
        this.disks.delete(c.file);
        this.buffers.delete(c.file);
      } else if (!this.disks.has(c.file) && !this.buffers.has(c.file)) {
        this.disks.set(c.file, c.text); // createFile with contents goes straight to disk
      } else {
        if (!this.buffers.has(c.file)) this.open(c.file);
        this.buffers.set(c.file, { text: c.text, dirty: true });
      }
    }
    this.did('edit');
    return true;
  }

  async save(file: string): Promise<boolean> {
    const outcome = this.saves.shift() ?? 'ok';
    this.did(`save:${outcome}`);
    const b = this.buffers.get(file);
    if (!b) return true;
    switch (outcome) {
      case 'ok':
        if (this.readOnly) return false;
        this.disks.set(file, b.text);
        b.dirty = false;
        return true;
      case 'fail-but-writes':
        this.disks.set(file, b.text);
        return false;
      case 'fail':
        return false;
      case 'throw':
        throw new Error('Failed to save: the content of the file is newer');
      case 'hang':
        return new Promise<boolean>(() => undefined);
    }
  }

  async write(file: string, text: string | null): Promise<void> {
    this.did('write');
    if (this.readOnly) throw new Error('EACCES: permission denied');
    if (text === null) this.disks.delete(file);
    else this.disks.set(file, text);
  }

  async reload(file: string): Promise<void> {
    this.did('reload');
    const b = this.buffers.get(file);
    const disk = this.disks.get(file);
    if (b && disk !== undefined) this.buffers.set(file, { text: disk, dirty: false });
  }
}

const OLD = 'def share(total, people):\n    return total / len(people)\n';
const NEW = 'def share(total, people):\n    return total / len(people) if people else 0.0\n';
const apply = (file = 'app.py', before: (string | null)[] = [OLD], next: string | null = NEW): EditorTarget => ({ file, before, next });
const noSleep = async () => undefined;

describe('applyThroughEditor (a save that fails or is slow is not a conflict)', () => {
  let ed: FakeEditor;
  let notes: string[];
  const run = (targets: EditorTarget[], verb: 'apply' | 'revert' = 'apply') => applyThroughEditor(ed, targets, { verb, sleep: noSleep, onNote: (n) => notes.push(n) });
  const clean = (file = 'app.py', text = NEW) => {
    assert.equal(ed.disks.get(file), text, 'the disk holds the verified bytes');
    const b = ed.buffers.get(file);
    if (b) assert.deepEqual(b, { text, dirty: false }, 'the editor shows them, saved');
  };

  beforeEach(() => {
    ed = new FakeEditor();
    ed.disks.set('app.py', OLD);
    notes = [];
  });

  it('applies through the buffer and saves it (the plain path: no direct write, no reload)', async () => {
    ed.open('app.py');
    await run([apply()]);
    clean();
    assert.deepEqual(ed.calls, ['edit', 'save:ok']);
  });

  it('retries a save that fails, and the file ends saved without any conflict', async () => {
    ed.saves = ['fail', 'throw'];
    await run([apply()]);
    clean();
    assert.deepEqual(ed.calls, ['edit', 'save:fail', 'save:throw', 'save:ok']);
    assert.ok(notes.some((n) => /saving app\.py failed \(attempt 1 of 3\)/.test(n)), notes.join('\n'));
  });

  it('falls back to writing the verified bytes when every save fails, and leaves the editor clean (the issue\'s "Could not save app.py")', async () => {
    ed.saves = ['fail', 'fail', 'fail', 'fail', 'fail'];
    await run([apply()]);
    clean();
    assert.deepEqual(ed.calls, ['edit', 'save:fail', 'save:fail', 'save:fail', 'write', 'reload']);
    assert.ok(notes.some((n) => /writing the verified bytes of app\.py directly/.test(n)));
  });

  it('does not wait forever on a save that hangs: it writes the bytes and reloads the buffer', async () => {
    ed.saves = ['hang', 'hang', 'hang'];
    await run([apply()]);
    clean();
    assert.ok(notes.some((n) => /took over 15 s/.test(n)), notes.join('\n'));
  });

  it('a save that reports failure but wrote the file only needs its dirty flag dropped', async () => {
    ed.saves = ['fail-but-writes'];
    await run([apply()]);
    clean();
    assert.deepEqual(ed.calls, ['edit', 'save:fail-but-writes', 'reload']);
  });

  it('treats a file already holding the patch as applied (a late save of an earlier try), not as a conflict', async () => {
    ed.disks.set('app.py', NEW);
    ed.open('app.py');
    await run([apply()]);
    clean();
    assert.deepEqual(ed.calls, []);
  });

  it('retries an edit the editor refused when nobody changed the file', async () => {
    ed.refuseEdits = 1;
    await run([apply()]);
    clean();
    assert.deepEqual(ed.calls.slice(0, 2), ['edit-refused', 'edit']);
  });

  it('refuses with PatchConflict when the user has unsaved edits, and touches nothing', async () => {
    ed.open('app.py');
    ed.buffers.set('app.py', { text: `# mine\n${OLD}`, dirty: true });
    await assert.rejects(run([apply()]), (e) => isAutoDevError(e, 'PatchConflict') && /app\.py has unsaved edits in the editor/.test(e.message));
    assert.deepEqual(ed.calls, []);
    assert.deepEqual(ed.buffers.get('app.py'), { text: `# mine\n${OLD}`, dirty: true });
    assert.equal(ed.disks.get('app.py'), OLD);
  });

  it('refuses with PatchConflict when the file changed on disk before the apply', async () => {
    ed.disks.set('app.py', `${OLD}# saved by the user\n`);
    await assert.rejects(run([apply()]), (e) => isAutoDevError(e, 'PatchConflict') && /app\.py was edited/.test(e.message));
    assert.deepEqual(ed.calls, []);
  });

  it('another program writing the file during the save is a real conflict: the editor shows that version, not our unsaved patch', async () => {
    ed.saves = ['fail'];
    ed.after.push({ op: 'save:fail', run: () => ed.disks.set('app.py', `${OLD}# formatter\n`) });
    await assert.rejects(run([apply()]), (e) => isAutoDevError(e, 'PatchConflict') && /changed on disk/.test(e.message));
    assert.deepEqual(ed.buffers.get('app.py'), { text: `${OLD}# formatter\n`, dirty: false });
  });

  it('a read that catches our own slow save mid-write (a prefix of the patch on disk) is not a conflict', async () => {
    ed.open('app.py');
    ed.saves = ['fail'];
    // The editor truncated the file and has written only part of the patched text when the save reports failure.
    ed.after.push({ op: 'save:fail', run: () => ed.disks.set('app.py', NEW.slice(0, 20)) });
    await run([apply()]);
    clean();
  });

  it('a third text that settles on the patch a moment later (a save landing late) is not a conflict', async () => {
    ed.open('app.py');
    ed.saves = ['fail'];
    let reads = 0;
    const disk = ed.disk.bind(ed);
    ed.disk = async (file: string) => {
      const text = await disk(file);
      if (text === `${OLD}#` && ++reads >= 2) ed.disks.set('app.py', NEW);
      return text;
    };
    ed.after.push({ op: 'save:fail', run: () => ed.disks.set('app.py', `${OLD}#`) });
    await run([apply()]);
    clean();
  });

  it('the user typing between the edit and the save is a conflict, and their text is kept', async () => {
    ed.after.push({ op: 'edit', run: () => ed.buffers.set('app.py', { text: `${NEW}# typed\n`, dirty: true }) });
    await assert.rejects(run([apply()]), (e) => isAutoDevError(e, 'PatchConflict') && /keeps your edit/.test(e.message));
    assert.deepEqual(ed.buffers.get('app.py'), { text: `${NEW}# typed\n`, dirty: true });
    assert.equal(ed.disks.get('app.py'), OLD, 'nothing of the patch was written');
  });

  it('a file that cannot be written at all is PatchWriteFailed (no re-plan), and the editor is put back, clean', async () => {
    ed.open('app.py');
    ed.readOnly = true;
    await assert.rejects(run([apply()]), (e) => isAutoDevError(e, 'PatchWriteFailed') && /app\.py could not be written: EACCES/.test(e.message));
    assert.deepEqual(ed.buffers.get('app.py'), { text: OLD, dirty: false });
    assert.equal(ed.disks.get('app.py'), OLD);
    assert.ok(notes.some((n) => /app\.py: put back/.test(n)), notes.join('\n'));
  });

  it('puts back a file already saved when a later one fails', async () => {
    ed.disks.set('util.py', 'X = 1\n');
    ed.saves = ['ok', 'fail', 'fail', 'fail'];
    let writes = 0;
    const write = ed.write.bind(ed);
    ed.write = async (file, text) => {
      // The direct write of app.py fails (a full disk); the put-back of util.py succeeds.
      if (file === 'app.py' && writes++ === 0) throw new Error('ENOSPC: no space left on device');
      return write(file, text);
    };
    await assert.rejects(run([apply('util.py', ['X = 1\n'], 'X = 2\n'), apply()]), (e) => isAutoDevError(e, 'PatchWriteFailed') && /ENOSPC/.test(e.message));
    clean('util.py', 'X = 1\n');
    clean('app.py', OLD);
  });

  it('creates a new file and deletes it again on revert', async () => {
    await run([apply('pkg/new.py', [null], 'x = 1\n')]);
    assert.equal(ed.disks.get('pkg/new.py'), 'x = 1\n');
    await run([apply('pkg/new.py', ['x = 1\n'], null)], 'revert');
    assert.equal(ed.disks.has('pkg/new.py'), false);
  });

  it('reverts byte for byte; a revert over the user\'s later edit is a conflict', async () => {
    ed.open('app.py');
    await run([apply()]);
    await run([apply('app.py', [NEW], OLD)], 'revert');
    clean('app.py', OLD);
    await run([apply()]);
    ed.buffers.set('app.py', { text: `${NEW}# more\n`, dirty: true });
    await assert.rejects(run([apply('app.py', [NEW], OLD)], 'revert'), (e) => isAutoDevError(e, 'PatchConflict') && /nothing was reverted/.test(e.message));
  });

  it('writes the exact bytes when the editor saved with its own line endings', async () => {
    const crlf = NEW.replace(/\n/g, '\r\n');
    ed.disks.set('app.py', OLD.replace(/\n/g, '\r\n'));
    ed.open('app.py');
    const save = ed.save.bind(ed);
    ed.save = async (file) => {
      const ok = await save(file);
      ed.disks.set(file, ed.disks.get(file)!.replace(/\r\n/g, '\n')); // saved with LF
      return ok;
    };
    await run([apply('app.py', [OLD.replace(/\n/g, '\r\n')], crlf)]);
    clean('app.py', crlf);
  });
});
