/** When several apps could run in a folder (and no autodev.runtime.entry says which), the user picks one. */
import * as vscode from 'vscode';
import { describeEntry, detectEntries, obviousEntry } from '../core/runtime/entryDetection';

/**
 * The entry to deploy: `configured` when set, the obvious candidate (undefined: the runtime finds it again), or the
 * user's pick from a quick pick of the candidates. Throws CancellationError when the pick is dismissed.
 */
export async function pickEntry(dir: string, configured: string | undefined): Promise<string | undefined> {
  if (configured) return configured;
  const candidates = await detectEntries(dir);
  if (candidates.length < 2 || obviousEntry(candidates)) return undefined;
  const pick = await vscode.window.showQuickPick(
    candidates.map((c) => ({ label: c.file, description: c.reason, detail: c.appDir ? `app folder ${c.appDir}/` : undefined, entry: c.file, title: describeEntry(c) })),
    { title: 'AutoDev: which app should run?', placeHolder: 'Several apps could run here — set autodev.runtime.entry to skip this question', ignoreFocusOut: true },
  );
  if (!pick) throw new vscode.CancellationError();
  return pick.entry;
}
