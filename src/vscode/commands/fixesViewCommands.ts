/**
 * The Fixes view's actions: Show Diff, Revert Fix, Push Fix. Revert and push go through the heal session, whose `fix`
 * event updates the tree, Mission Control and the API alike (one source of truth for a FixRecord).
 */
import * as vscode from 'vscode';
import type { Container } from '../../container';
import { Commands } from '../../constants';
import { AutoDevError } from '../../core/errors';
import type { FixRecord } from '../../core/heal/healEvents';
import { fixLabel } from '../fixesTreeProvider';
import type { CommandTable } from './commandTable';

export function fixesViewCommands(c: Container): CommandTable {
  return {
    [Commands.showFixDiff]: (fix?: FixRecord) => c.review.showFix(requireFix(c, fix)),
    [Commands.revertFix]: (fix?: FixRecord) => revertFix(c, requireFix(c, fix)),
    [Commands.pushFix]: (fix?: FixRecord) => pushFix(c, requireFix(c, fix)),
  };
}

/** The fix a command was invoked on (a tree item), else the newest. */
function requireFix(c: Container, fix: FixRecord | undefined): FixRecord {
  const found = fix?.id ? c.fixes.get(fix.id) ?? fix : c.fixes.list()[0];
  if (!found) throw new AutoDevError('NotFound', 'There is no fix yet.');
  return found;
}

async function revertFix(c: Container, fix: FixRecord): Promise<void> {
  if (!fix.commit) throw new AutoDevError('GitError', `"${fixLabel(fix)}" was not committed, so there is nothing to revert. Reject or undo the edit instead.`);
  // No confirmation: a revert is itself a new commit, so it is undone by reverting it (history is never rewritten).
  const reverted = await c.deployments.require().controller.revertFix(fix);
  c.log.info('git', `reverted ${fix.commit.slice(0, 10)}: ${reverted.reason ?? ''}`);
  void vscode.window.showInformationMessage(`AutoDev reverted "${fixLabel(fix)}" (${reverted.reason ?? 'reverted'}).`);
}

async function pushFix(c: Container, fix: FixRecord): Promise<void> {
  if (!fix.commit) throw new AutoDevError('GitError', `"${fixLabel(fix)}" was not committed yet, so there is nothing to push.`);
  const { controller } = c.deployments.require();
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'AutoDev: pushing the fix…' }, () => controller.pushFix(fix));
  void vscode.window.showInformationMessage(`AutoDev pushed "${fixLabel(fix)}".`);
}
