/** Diff review: an `autodev-patch:` document provider serving original/patched text, diff editors, and the review context key. */
import * as vscode from 'vscode';
import { BuiltinCommands, Commands, ContextKeys } from '../constants';
import type { PatchFile, PendingPatch } from '../core/patch/pendingPatch';
import type { FixRecord, HealEvent } from '../core/heal/healEvents';
import type { VerificationResult } from '../core/replay/replayResults';

export const PATCH_SCHEME = 'autodev-patch';
type Side = 'original' | 'patched';

/** `autodev-patch:/<file path>?patch=<id>&side=original` — the path keeps the file name so the language mode matches. */
export function patchUri(patchId: string, file: string, side: Side): vscode.Uri {
  return vscode.Uri.from({ scheme: PATCH_SCHEME, path: `/${file}`, query: new URLSearchParams({ patch: patchId, side }).toString() });
}

export class PatchReview implements vscode.TextDocumentContentProvider, vscode.Disposable {
  /** Every patch seen in this window (bounded), so the Fixes view can show the diff of an older fix. */
  private readonly patches = new Map<string, PendingPatch>();
  /** fix id → patch id, learned when the fix record arrives while its patch is pending. */
  private readonly fixToPatch = new Map<string, string>();
  private pending: { patch: PendingPatch; verification: VerificationResult } | null = null;
  private proposedFixId: string | null = null;
  private readonly registration: vscode.Disposable;
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly autoOpen: () => boolean = () => true,
    /** The column Mission Control is in: diffs open elsewhere so they never hide it. */
    private readonly missionControlColumn: () => vscode.ViewColumn | undefined = () => undefined,
  ) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(PATCH_SCHEME, this);
    void this.setPendingContext(false);
  }

  get pendingPatch(): PendingPatch | null {
    return this.pending?.patch ?? null;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const q = new URLSearchParams(uri.query);
    const patch = this.patches.get(q.get('patch') ?? '');
    const file = patch?.files.find((f) => `/${f.path}` === uri.path);
    if (!file) return '';
    return (q.get('side') === 'patched' ? file.patched : file.original) ?? '';
  }

  handle(e: HealEvent): void {
    switch (e.kind) {
      case 'patch':
        this.remember(e.patch);
        // The loop announces the fix record (status proposed) just before its patch.
        if (this.proposedFixId) this.fixToPatch.set(this.proposedFixId, e.patch.id);
        this.pending = { patch: e.patch, verification: e.verification };
        void this.setPendingContext(true);
        if (this.autoOpen()) void this.offer(e.patch, e.verification);
        return;
      case 'fix':
        if (e.fix.status === 'proposed') this.proposedFixId = e.fix.id;
        if (this.pending) this.fixToPatch.set(e.fix.id, this.pending.patch.id);
        if (this.pending && e.fix.status !== 'proposed') this.clearPending();
        return;
      case 'state':
        if (this.pending && e.state !== 'REVIEW' && e.previous === 'REVIEW') this.clearPending();
        return;
    }
  }

  private remember(patch: PendingPatch): void {
    this.patches.set(patch.id, patch);
    while (this.patches.size > 50) this.patches.delete(this.patches.keys().next().value as string);
  }

  private clearPending(): void {
    this.pending = null;
    void this.setPendingContext(false);
  }

  private async setPendingContext(on: boolean): Promise<void> {
    await vscode.commands.executeCommand(BuiltinCommands.setContext, ContextKeys.reviewPending, on);
  }

  /** Opens the diff of every changed file, then asks in a notification (the editor title and webview ask too). */
  private async offer(patch: PendingPatch, verification: VerificationResult): Promise<void> {
    await this.openDiffs(patch);
    const files = patch.files.map((f) => f.path).join(', ');
    const proof = `${verification.reproducer?.before && verification.reproducer.after ? ` Verified: ${verification.reproducer.description}: ${verification.reproducer.before} → ${verification.reproducer.after}.` : verification.passed ? ' Verified in a scratch container.' : ''}${evidenceSummary(verification)}`;
    const pick = await vscode.window.showInformationMessage(`AutoDev has a fix for ${files}.${proof}`, 'Accept', 'Reject', 'Show Diff');
    if (this.pending?.patch.id !== patch.id) return; // answered elsewhere (editor title, webview) meanwhile
    if (pick === 'Accept') await vscode.commands.executeCommand(Commands.acceptPatch, patch.id);
    else if (pick === 'Reject') await vscode.commands.executeCommand(Commands.rejectPatch, patch.id);
    else if (pick === 'Show Diff') await this.openDiffs(patch);
  }

  async openDiffs(patch: PendingPatch): Promise<void> {
    for (const [i, file] of patch.files.entries()) await this.openDiff(patch, file, i === patch.files.length - 1);
  }

  private async openDiff(patch: PendingPatch, file: PatchFile, focus: boolean): Promise<void> {
    const title = `${file.path} (AutoDev fix${file.original === null ? ', new file' : ''})`;
    const mc = this.missionControlColumn();
    const viewColumn = mc === undefined ? undefined : mc === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
    await vscode.commands.executeCommand('vscode.diff', patchUri(patch.id, file.path, 'original'), patchUri(patch.id, file.path, 'patched'), title, { preview: false, preserveFocus: !focus, viewColumn });
  }

  /** The diff of a fix from the Fixes view: the patch when known, else the unified diff text of the record. */
  async showFix(fix: FixRecord): Promise<void> {
    const patch = this.patches.get(this.fixToPatch.get(fix.id) ?? fix.id);
    if (patch) return this.openDiffs(patch);
    const doc = await vscode.workspace.openTextDocument({ language: 'diff', content: fix.diff ?? `No diff recorded for this fix.\n${fix.summary}` });
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  /** The patch id to act on: the explicit one (webview, notification), else the pending one (palette, editor title). */
  resolvePatchId(arg: unknown): string | undefined {
    if (typeof arg === 'string') return arg;
    return this.pending?.patch.id;
  }

  /** Closes the diff editors of a patch once it was accepted or rejected. */
  async closeDiffs(patchId: string): Promise<void> {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => {
      const input = t.input;
      return input instanceof vscode.TabInputTextDiff && input.modified.scheme === PATCH_SCHEME && new URLSearchParams(input.modified.query).get('patch') === patchId;
    });
    if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}

/** One line of evidence for the notification: what the differential replay showed, and a masking flag. */
function evidenceSummary(v: VerificationResult): string {
  const samples = v.evidence?.samples ?? [];
  const same = samples.filter((s) => !s.differences.length).length;
  const parts: string[] = [];
  if (v.evidence?.crash) parts.push(`${v.evidence.crash.request}: ${v.evidence.crash.before.split(' ')[0]} → ${v.evidence.crash.after.split(' ')[0]}`);
  if (samples.length) parts.push(`${same} of ${samples.length} earlier request${samples.length === 1 ? '' : 's'} answered as before`);
  if (v.evidence?.output) parts.push(v.evidence.output.difference ? `output changed: ${v.evidence.output.difference}` : 'output up to the crash point unchanged');
  const text = parts.length ? ` Evidence: ${parts.join('; ')}.` : '';
  return v.masks ? `${text} Masks the error: ${v.masks}.` : text;
}
