/** The heal loop's decisions: Fix Now, Accept / Reject Patch, Pause / Resume Auto-Heal. */
import * as vscode from 'vscode';
import type { Container } from '../../container';
import { BuiltinCommands, Commands, ContextKeys } from '../../constants';
import { AutoDevError } from '../../core/errors';
import { assertTrusted } from '../workspaceTrust';
import type { CommandTable } from './commandTable';

export function reviewCommands(c: Container): CommandTable {
  return {
    [Commands.fixNow]: () => {
      assertTrusted(vscode.workspace.isTrusted, 'fix');
      return c.deployments.require().controller.fixNow();
    },
    [Commands.acceptPatch]: (arg?: unknown) => acceptPatch(c, arg),
    [Commands.rejectPatch]: (arg?: unknown) => rejectPatch(c, arg),
    [Commands.pauseAutoHeal]: () => setAutoHealPaused(c, true),
    [Commands.resumeAutoHeal]: () => setAutoHealPaused(c, false),
  };
}

async function acceptPatch(c: Container, arg: unknown): Promise<void> {
  assertTrusted(vscode.workspace.isTrusted, 'fix');
  const id = c.review.resolvePatchId(arg);
  if (!id) throw new AutoDevError('NotFound', 'There is no patch waiting for review.');
  const { controller } = c.deployments.require();
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'AutoDev: applying the fix and restarting…' }, () => controller.accept(id));
  await c.review.closeDiffs(id);
}

async function rejectPatch(c: Container, arg: unknown): Promise<void> {
  const id = c.review.resolvePatchId(arg);
  if (!id) throw new AutoDevError('NotFound', 'There is no patch waiting for review.');
  await c.deployments.require().controller.reject(id);
  await c.review.closeDiffs(id);
}

function setAutoHealPaused(c: Container, paused: boolean): void {
  c.deployments.setAutoHealPaused(paused);
  c.feed.setAutoHealPaused(paused);
  c.statusBar.setPaused(paused);
  void vscode.commands.executeCommand(BuiltinCommands.setContext, ContextKeys.autoHealPaused, paused);
  c.log.info('command', `auto-heal ${paused ? 'paused' : 'resumed'}`);
}
