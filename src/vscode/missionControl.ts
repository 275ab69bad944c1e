/**
 * Mission Control's host side: the one panel (created, revealed, or revived after a reload) and the router of its
 * validated messages, each straight to its command handler through the command wrapper.
 */
import * as vscode from 'vscode';
import { Commands, type CommandId } from '../constants';
import type { Disposable } from '../core/lifecycle';
import type { WebviewMessage } from '../protocol/messages';
import type { AutodevLog } from './autodevLog';
import type { CommandRunner } from './commandRunner';
import type { MissionControlFeed } from './missionControlFeed';
import { MissionControlPanel } from './missionControlPanel';

export interface MissionControlOptions {
  extensionUri: vscode.Uri;
  feed: MissionControlFeed;
  log: AutodevLog;
  runner: CommandRunner;
  /** Runs an AutoDev command through the command wrapper. */
  invoke(id: CommandId, ...args: unknown[]): Promise<unknown>;
  /** The folder `file/open` paths are relative to. */
  workspaceDir(): string | undefined;
}

/** The command each webview message runs (`file/open` is handled here: it is not a command). */
function commandOf(m: WebviewMessage): [CommandId, ...unknown[]] | null {
  switch (m.type) {
    case 'deploy':
      return [Commands.deployWorkspace];
    case 'stop':
      return [Commands.stop];
    case 'restart':
      return [Commands.restart];
    case 'fix/now':
    case 'crash/askModel':
      return [Commands.fixNow];
    case 'autoHeal/setPaused':
      return [m.paused ? Commands.pauseAutoHeal : Commands.resumeAutoHeal];
    case 'fix/accept':
      return [Commands.acceptPatch, m.patchId];
    case 'fix/reject':
      return [Commands.rejectPatch, m.patchId];
    case 'memory/raiseLimit':
      return [Commands.raiseMemoryLimit];
    default:
      return null;
  }
}

export class MissionControl implements Disposable {
  private panel: MissionControlPanel | null = null;

  constructor(private readonly o: MissionControlOptions) {}

  /** Restores the panel after a window reload (the panel serializer is an activation event). */
  registerSerializer(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(MissionControlPanel.viewType, {
      deserializeWebviewPanel: async (webviewPanel) => this.adopt(MissionControlPanel.revive(webviewPanel, this.o.extensionUri, this.o.feed, (m) => this.onMessage(m))),
    });
  }

  get viewColumn(): vscode.ViewColumn | undefined {
    return this.panel?.panel.viewColumn;
  }

  async open(focus: boolean): Promise<void> {
    if (this.panel) {
      this.panel.reveal(!focus);
      return;
    }
    this.adopt(MissionControlPanel.create(this.o.extensionUri, this.o.feed, (m) => this.onMessage(m), !focus));
  }

  private adopt(panel: MissionControlPanel): void {
    this.panel = panel;
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = null;
    });
  }

  /** Messages were validated by the panel (parseWebviewMessage); each runs in the same command wrapper. */
  async onMessage(m: WebviewMessage): Promise<void> {
    this.o.log.debug('webview', m.type);
    const command = commandOf(m);
    if (command) {
      await this.o.invoke(...command);
      return;
    }
    if (m.type === 'file/open') await this.o.runner.run('file/open', () => this.openFile(m.file, m.line));
  }

  private async openFile(file: string, line: number | null): Promise<void> {
    const dir = this.o.workspaceDir() ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!dir) return;
    const { workspaceFileUri } = await import('./workspaceEditPatchApplier');
    const uri = workspaceFileUri(dir, file); // refuses paths outside the workspace
    const at = Math.max(0, (line ?? 1) - 1);
    await vscode.window.showTextDocument(uri, { selection: new vscode.Range(at, 0, at, 0), preview: true });
  }

  dispose(): void {
    this.panel?.dispose();
    this.panel = null;
  }
}
