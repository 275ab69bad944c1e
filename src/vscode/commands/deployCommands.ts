/** Deploy and run: Deploy Workspace / Repository, Stop, Restart, Raise Memory Limit, Clean Up, Open App Terminal. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Container } from '../../container';
import { BuiltinCommands, Commands } from '../../constants';
import { AutoDevError } from '../../core/errors';
import { openAppTerminal } from '../appTerminal';
import { abortSignal } from '../deployments';
import { readSettings } from '../extensionSettings';
import { assertTrusted } from '../workspaceTrust';
import type { CommandTable } from './commandTable';

export function deployCommands(c: Container): CommandTable {
  return {
    [Commands.deployWorkspace]: () => deployWorkspace(c),
    [Commands.deployRepository]: () => deployRepository(c),
    [Commands.stop]: () => c.deployments.require().controller.stop(),
    [Commands.restart]: () => c.deployments.require().controller.restart(),
    [Commands.raiseMemoryLimit]: () => c.deployments.require().controller.raiseMemoryLimit(),
    [Commands.cleanUp]: async () => {
      const [{ cleanUp }, { createEngines }] = await Promise.all([import('../cleanUpCommand'), import('../../core/runtime/engineSelection')]);
      return cleanUp((await createEngines({ ...readSettings(c.deployments.deployment?.scope).engine, kubeContext: undefined, env: process.env })).builder, c.log);
    },
    [Commands.openAppTerminal]: () => appTerminal(c),
  };
}

export async function deployWorkspace(c: Container): Promise<void> {
  assertTrusted(vscode.workspace.isTrusted, 'deploy');
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) throw new AutoDevError('Usage', 'Open a folder first: AutoDev deploys the workspace folder (or use "AutoDev: Deploy Repository…").');
  const folder = folders.length === 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Which folder should AutoDev deploy?' });
  if (!folder) throw new vscode.CancellationError();
  await c.deployments.deploy(folder.uri.fsPath, folder.name, folder.uri);
}

async function deployRepository(c: Container): Promise<void> {
  assertTrusted(vscode.workspace.isTrusted, 'deploy');
  const { cloneRepository, validateRepositoryUrl } = await import('../repositoryClone');
  const url = await vscode.window.showInputBox({
    title: 'AutoDev: Deploy Repository', prompt: 'Git URL to clone and deploy', placeHolder: 'https://github.com/owner/app.git',
    ignoreFocusOut: true, validateInput: validateRepositoryUrl,
  });
  if (!url) throw new vscode.CancellationError();
  const parent = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Clone Here', title: 'Folder to clone into' });
  if (!parent?.[0]) throw new vscode.CancellationError();
  const confirm = await vscode.window.showWarningMessage(
    `Deploying runs code from ${url} on this machine (in a locked-down container). Do you trust its authors?`,
    { modal: true }, 'Clone and Deploy',
  );
  if (confirm !== 'Clone and Deploy') throw new vscode.CancellationError();
  const dir = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `AutoDev: cloning ${url}`, cancellable: true },
    (_p, token) => cloneRepository(url, parent[0].fsPath, abortSignal(token)),
  );
  c.log.info('git', `cloned ${url} into ${dir}`);
  await c.deployments.deploy(dir, path.basename(dir), vscode.Uri.file(dir));
  void vscode.window.showInformationMessage(`AutoDev deployed ${path.basename(dir)}.`, 'Open Folder').then((pick) => {
    if (pick) void vscode.commands.executeCommand(BuiltinCommands.openFolder, vscode.Uri.file(dir), { forceNewWindow: true });
  });
}

/** A terminal attached to the app (its stdin open), for programs that want input. */
async function appTerminal(c: Container): Promise<void> {
  assertTrusted(vscode.workspace.isTrusted, 'deploy');
  const d = c.deployments.require();
  // The deployed container has no stdin; the terminal's container replaces it.
  await d.controller.stop();
  const settings = readSettings(d.scope);
  openAppTerminal(c.context.extensionPath, d.dir, { ...settings.runtime, ...(d.entry ? { entry: d.entry } : {}) }, settings.dockerHost);
}
