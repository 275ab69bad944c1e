/**
 * Applies (or reverts) a patch through an editor's buffers and settles it on disk. A save that fails or is slow is
 * not a conflict: it is retried, and then the verified bytes are written directly and the buffer reloaded, so the
 * editor is never left dirty with a patch the loop gave up on. Only text that is neither the expected before-state
 * nor the patch's own result — in a buffer or on disk — is someone else's change, i.e. a conflict.
 */
import { AutoDevError } from '../errors';
import { abortableDelay } from '../common/abortableDelay';

/** The editor's side of the files a patch touches (VS Code implements it over TextDocuments; tests fake it). */
export interface EditorFiles {
  /** The open buffer of `file` (workspace-relative), or undefined when none is open. */
  buffer(file: string): { text: string; dirty: boolean } | undefined;
  /** The file on disk as text; null when it does not exist. */
  disk(file: string): Promise<string | null>;
  /** One undoable edit replacing whole files (text null deletes, a missing file is created); false when refused. */
  edit(changes: { file: string; text: string | null }[]): Promise<boolean>;
  /** Saves the open buffer; false (or a rejection) when the editor did not save it. May take long on a busy machine. */
  save(file: string): Promise<boolean>;
  /** Writes `text` to disk directly, or deletes the file for null (the fallback once saving has failed). */
  write(file: string, text: string | null): Promise<void>;
  /** Drops the buffer's unsaved state: it shows the disk's text again and is no longer dirty. */
  reload(file: string): Promise<void>;
}

/** One file of the patch: the texts it may have before (null = absent), and the text it must end with. */
export interface EditorTarget {
  file: string;
  before: readonly (string | null)[];
  next: string | null;
}

export interface EditorApplyTiming {
  /** How long one save may take before the file is checked and the save tried again (it may still land). */
  saveTimeoutMs: number;
  /** Saves tried before the bytes are written directly. */
  saveAttempts: number;
  /** Pause between save attempts (a file watcher catching up is the usual cure). */
  retryDelayMs: number;
  /** Times a refused edit is tried again when nobody else changed the files. */
  editAttempts: number;
}

export const DEFAULT_EDITOR_APPLY_TIMING: EditorApplyTiming = { saveTimeoutMs: 15_000, saveAttempts: 3, retryDelayMs: 400, editAttempts: 3 };

export interface EditorApplyOptions {
  verb: 'apply' | 'revert';
  timing?: Partial<EditorApplyTiming>;
  /** Notes what happened besides the plain path (a retried save, a direct write), for the log. */
  onNote?: (text: string) => void;
  /** Injected in tests; a real timer otherwise. */
  sleep?: (ms: number) => Promise<void>;
}


/** What a file holds now: the open buffer wins (it is what the user sees), then the disk. */
async function current(files: EditorFiles, file: string): Promise<{ text: string | null; where: 'buffer' | 'disk'; dirty: boolean }> {
  const b = files.buffer(file);
  if (b) return { text: b.text, where: 'buffer', dirty: b.dirty };
  return { text: await files.disk(file), where: 'disk', dirty: false };
}

function conflict(file: string, now: { text: string | null; where: 'buffer' | 'disk'; dirty: boolean }, verb: string, before: readonly (string | null)[]): AutoDevError {
  const what =
    now.text === null
      ? 'was deleted'
      : before.every((b) => b === null)
        ? 'exists now'
        : now.where === 'buffer' && now.dirty
          ? 'has unsaved edits in the editor'
          : 'was edited';
  return new AutoDevError('PatchConflict', `${file} ${what} since the patch was computed; nothing was ${verb === 'apply' ? 'applied' : 'reverted'}. AutoDev plans again from the current text.`);
}

/** Resolves the save's outcome, or 'slow' when it has not answered within `ms` (it may still complete later). */
async function timedSave(files: EditorFiles, file: string, ms: number, sleep: (ms: number) => Promise<void>): Promise<'saved' | 'failed' | 'slow'> {
  const saved = files.save(file).then(
    (ok) => (ok ? ('saved' as const) : ('failed' as const)),
    () => 'failed' as const,
  );
  return Promise.race([saved, sleep(ms).then(() => 'slow' as const)]);
}

/**
 * Applies the targets through the editor, then makes sure each file's disk bytes are exactly `next` and its buffer
 * (if open) is clean. Throws PatchConflict (nothing of ours left behind) when a file holds someone else's text,
 * PatchWriteFailed when the bytes cannot be written at all (the buffers are put back as they were).
 */
export async function applyThroughEditor(files: EditorFiles, targets: readonly EditorTarget[], options: EditorApplyOptions): Promise<void> {
  const timing = { ...DEFAULT_EDITOR_APPLY_TIMING, ...options.timing };
  const sleep = options.sleep ?? abortableDelay;
  const note = options.onNote ?? (() => undefined);
  const { verb } = options;

  // 1. Check every file before touching any: a file already at `next` is ours (an earlier try that landed late).
  const was = new Map<EditorTarget, string | null>();
  const checkAll = async () => {
    const todo: { target: EditorTarget }[] = [];
    for (const t of targets) {
      const now = await current(files, t.file);
      if (now.text === t.next) continue;
      if (!t.before.includes(now.text)) throw conflict(t.file, now, verb, t.before);
      was.set(t, now.text);
      todo.push({ target: t });
    }
    return todo;
  };
  let todo = await checkAll();

  // 2. One undoable edit. A refused edit (the buffer moved on between our read and the edit) is checked again.
  for (let attempt = 1; todo.length; attempt++) {
    if (await files.edit(todo.map(({ target }) => ({ file: target.file, text: target.next })))) break;
    todo = await checkAll();
    if (!todo.length) break;
    if (attempt >= timing.editAttempts) {
      throw new AutoDevError('PatchWriteFailed', `The editor refused the edit ${attempt} times (a file may be read-only); nothing was ${verb === 'apply' ? 'applied' : 'reverted'}.`);
    }
    note(`the editor refused the edit; trying again (attempt ${attempt + 1} of ${timing.editAttempts})`);
    await sleep(timing.retryDelayMs);
  }

  // 3. Settle each file: saved by the editor, or written directly, never left dirty with our text.
  const settled: EditorTarget[] = [];
  try {
    for (const t of targets) {
      await settle(files, t, timing, sleep, note, verb);
      settled.push(t);
    }
  } catch (err) {
    // Nothing half-done: files already settled get their old text back, buffers lose our unsaved text.
    if ((err as AutoDevError)?.code === 'PatchWriteFailed') await putBack(files, targets, settled, was, note);
    throw err;
  }
}

async function settle(files: EditorFiles, t: EditorTarget, timing: EditorApplyTiming, sleep: (ms: number) => Promise<void>, note: (t: string) => void, verb: string): Promise<void> {
  if (t.next === null) {
    // A deletion goes straight to disk through the edit; only check it happened.
    if ((await files.disk(t.file)) !== null) throw new AutoDevError('PatchWriteFailed', `${t.file} could not be deleted.`);
    return;
  }
  const next = t.next;
  let saves = 0;
  for (let round = 0; round < timing.saveAttempts + 3; round++) {
    const b = files.buffer(t.file);
    if (b && b.text !== next) {
      // Someone typed into the buffer after our edit: their text is theirs, never overwritten.
      throw new AutoDevError('PatchConflict', `${t.file} was edited in the editor while the patch was being ${verb === 'apply' ? 'applied' : 'reverted'}; the editor keeps your edit (unsaved). AutoDev plans again from the current text.`);
    }
    const disk = await files.disk(t.file);
    if (!b || !b.dirty) {
      if (disk === next) return;
      if (!b || disk === null || t.before.includes(disk) || sameLines(disk, next) || (await ourWriteInFlight(files, t, timing, sleep))) {
        // The editor saved with its own line endings or encoding, or the watcher has not caught up: the patch is
        // verified byte for byte, so those bytes go to disk.
        await writeOrFail(files, t.file, next);
        if (b) await files.reload(t.file);
        continue;
      }
      await files.reload(t.file);
      throw new AutoDevError('PatchConflict', `${t.file} was changed on disk while the patch was being ${verb === 'apply' ? 'applied' : 'reverted'}; the editor shows that version. AutoDev plans again from the current text.`);
    }
    // Dirty with exactly our text. Already on disk (a save that reported failure but wrote): just drop the dirty flag.
    if (disk === next) {
      await files.reload(t.file);
      continue;
    }
    if (disk !== null && disk !== next && !t.before.includes(disk) && !sameLines(disk, next) && !(await ourWriteInFlight(files, t, timing, sleep))) {
      // The disk moved to a third text (another program, or the user outside the editor): that is a real change.
      await files.reload(t.file);
      throw new AutoDevError('PatchConflict', `${t.file} was changed on disk while the patch was being ${verb === 'apply' ? 'applied' : 'reverted'}; the editor now shows that version. AutoDev plans again from the current text.`);
    }
    if (saves < timing.saveAttempts) {
      saves++;
      const outcome = await timedSave(files, t.file, timing.saveTimeoutMs, sleep);
      if (outcome === 'saved') continue;
      note(`saving ${t.file} ${outcome === 'slow' ? `took over ${Math.round(timing.saveTimeoutMs / 1000)} s` : 'failed'} (attempt ${saves} of ${timing.saveAttempts})${saves < timing.saveAttempts ? '; trying again' : ''}`);
      if (saves < timing.saveAttempts) await sleep(timing.retryDelayMs * saves);
      continue;
    }
    note(`writing the verified bytes of ${t.file} directly and reloading the editor`);
    await writeOrFail(files, t.file, next);
    await files.reload(t.file);
  }
  const b = files.buffer(t.file);
  if ((await files.disk(t.file)) === next && (!b || b.text === next)) {
    // The bytes are on disk and the buffer shows them; an editor that still calls it unsaved is only cosmetic.
    if (b?.dirty) note(`${t.file} is saved, but the editor still marks it unsaved (its text is the file's)`);
    return;
  }
  throw new AutoDevError('PatchWriteFailed', `${t.file} could not be saved or written.`);
}

/**
 * Whether a disk text that is neither the before-state nor ours is only our own save caught mid-write: editors write
 * in place (truncate, then write), so a read during a slow save sees a prefix of the patched text. The disk is read
 * again until two reads agree (a write in flight moves on); it is ours when it settles on a known text or stays a
 * prefix of the patched one. Only a settled third text is someone else's change.
 */
async function ourWriteInFlight(files: EditorFiles, t: EditorTarget, timing: EditorApplyTiming, sleep: (ms: number) => Promise<void>): Promise<boolean> {
  const known = (text: string | null) => text === t.next || t.before.includes(text) || (text !== null && t.next !== null && sameLines(text, t.next));
  let last = await files.disk(t.file);
  for (let read = 0; read < 5; read++) {
    await sleep(timing.retryDelayMs);
    const now = await files.disk(t.file);
    if (known(now)) return true;
    if (now === last) break;
    last = now;
  }
  return last !== null && t.next !== null && t.next.startsWith(last);
}

async function writeOrFail(files: EditorFiles, file: string, text: string): Promise<void> {
  try {
    await files.write(file, text);
  } catch (err) {
    throw new AutoDevError('PatchWriteFailed', `${file} could not be written: ${(err as Error).message}`);
  }
}

/** After a write failure: every file we changed gets its text from before; nothing of ours stays dirty or on disk. */
async function putBack(files: EditorFiles, targets: readonly EditorTarget[], settled: readonly EditorTarget[], was: ReadonlyMap<EditorTarget, string | null>, note: (t: string) => void): Promise<void> {
  for (const t of targets) {
    if (!was.has(t)) continue;
    const old = was.get(t) ?? null;
    try {
      const b = files.buffer(t.file);
      if (settled.includes(t)) {
        await files.write(t.file, old);
        if (b) await files.reload(t.file);
      } else if (b && b.text === t.next) {
        // The disk still has the old text, unless the buffer held the user's unsaved text: then give that back.
        if ((await files.disk(t.file)) === old) await files.reload(t.file);
        else if (old !== null) await files.edit([{ file: t.file, text: old }]);
      }
      note(`${t.file}: put back as it was before the patch`);
    } catch (err) {
      note(`${t.file}: could not be put back (${(err as Error).message})`);
    }
  }
}

/** Equal but for line endings (the editor may save with its own EOL). */
function sameLines(a: string, b: string): boolean {
  return a.replace(/\r\n/g, '\n') === b.replace(/\r\n/g, '\n');
}
