/** The Mission Control WebviewPanel: loads the page, validates inbound messages, keeps the feed attached while visible. */
import * as vscode from 'vscode';
import { Views } from '../constants';
import { parseWebviewMessage, type WebviewMessage } from '../protocol/messages';
import type { MissionControlFeed } from './missionControlFeed';
import { createNonce, missionControlHtml } from './missionControlHtml';

export type WebviewMessageHandler = (m: WebviewMessage) => void | Promise<void>;

export class MissionControlPanel implements vscode.Disposable {
  static readonly viewType = Views.missionControl;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;
  private disposed = false;
  private visible: boolean;

  /** Opens (or reveals) a panel beside the editor. */
  static create(extensionUri: vscode.Uri, feed: MissionControlFeed, onMessage: WebviewMessageHandler, preserveFocus = false): MissionControlPanel {
    const panel = vscode.window.createWebviewPanel(
      MissionControlPanel.viewType,
      'AutoDev Mission Control',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      MissionControlPanel.options(extensionUri),
    );
    return new MissionControlPanel(panel, extensionUri, feed, onMessage);
  }

  /** Alias of create() named like the brief; opens a panel and returns it. */
  static show(extensionUri: vscode.Uri, feed: MissionControlFeed, onMessage: WebviewMessageHandler): MissionControlPanel {
    return MissionControlPanel.create(extensionUri, feed, onMessage);
  }

  /** Restores a panel after a window reload (WebviewPanelSerializer). */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, feed: MissionControlFeed, onMessage: WebviewMessageHandler): MissionControlPanel {
    panel.webview.options = MissionControlPanel.options(extensionUri);
    return new MissionControlPanel(panel, extensionUri, feed, onMessage);
  }

  private static options(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      // Hidden panels are cheap: the webview is rebuilt on show and restored from the host's snapshot.
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly feed: MissionControlFeed,
    onMessage: WebviewMessageHandler,
  ) {
    const webview = panel.webview;
    this.visible = panel.visible;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    webview.html = missionControlHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'missionControl.css')).toString(),
      cspSource: webview.cspSource,
      nonce: createNonce(),
    });
    const post = (m: Parameters<Parameters<MissionControlFeed['attach']>[0]>[0]) => webview.postMessage(m);
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => {
        const m = parseWebviewMessage(raw); // the webview is untrusted input
        if (!m) return;
        if (m.type === 'ready') feed.attach(post);
        void Promise.resolve()
          .then(() => onMessage(m))
          .catch(() => undefined); // the handler reports its own errors
      }),
      panel.onDidChangeViewState(({ webviewPanel }) => {
        // Messages to a hidden webview are dropped: stop sending, and resync with a snapshot when shown again.
        // Only on hidden⇄visible: focus changes also fire this, and a snapshot would cut the webview's log to the tail.
        if (webviewPanel.visible === this.visible) return;
        this.visible = webviewPanel.visible;
        if (this.visible) feed.attach(post);
        else feed.detach();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  reveal(preserveFocus = false): void {
    this.panel.reveal(undefined, preserveFocus);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.feed.detach();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
    this.panel.dispose();
  }
}
