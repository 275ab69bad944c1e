/** AutoDev: Clean Up — lists what AutoDev made (containers, images, replay files, scratch folders) and removes what the user keeps ticked. */
import * as vscode from 'vscode';
import type { DockerRuntime } from '../core/runtime/dockerRuntime';
import { findLeftovers, removeLeftovers } from '../core/runtime/housekeeping';
import type { AutodevLog } from './autodevLog';

export async function cleanUp(runtime: DockerRuntime, log: AutodevLog): Promise<void> {
  await runtime.ping();
  const items = await findLeftovers(runtime.client);
  if (items.length === 0) {
    void vscode.window.showInformationMessage('AutoDev: nothing to clean up.');
    return;
  }
  const picked = await vscode.window.showQuickPick(
    items.map((item) => ({ label: item.description, description: item.kind, picked: true, item })),
    { title: `AutoDev: Clean Up (${items.length} item${items.length === 1 ? '' : 's'})`, placeHolder: 'Everything ticked is removed (containers of running deploys are never listed)', canPickMany: true, ignoreFocusOut: true },
  );
  if (!picked || picked.length === 0) throw new vscode.CancellationError();
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'AutoDev: cleaning up' }, () => removeLeftovers(runtime.client, picked.map((p) => p.item)));
  for (const item of result.removed) log.info('runtime', `clean up: removed ${item.description}`);
  for (const f of result.failed) log.warn('runtime', `clean up: could not remove ${f.item.description}: ${f.reason}`);
  const message = `AutoDev removed ${result.removed.length} item${result.removed.length === 1 ? '' : 's'}${result.failed.length ? `; ${result.failed.length} could not be removed (see the log)` : ''}.`;
  if (result.failed.length) void vscode.window.showWarningMessage(message, 'Show Logs').then((p) => p && log.show());
  else void vscode.window.showInformationMessage(message);
}
