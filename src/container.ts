/**
 * Composition root of the extension (GitLens' Container): builds every service once, wires the heal events to their
 * consumers, registers the command groups (src/vscode/commands/), and disposes all of it. extension.ts only creates it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { BuiltinCommands, ContextKeys, Views, type CommandId } from './constants';
import { JsonFileCapabilityCache } from './core/agent/capabilityCache';
import { DisposableStore, type Disposable } from './core/lifecycle';
import { ApiKeyStore } from './vscode/apiKeyStore';
import type { AutodevApi } from './vscode/autodevApi';
import { AutodevLog } from './vscode/autodevLog';
import { CommandRunner } from './vscode/commandRunner';
import { deployCommands, deployWorkspace } from './vscode/commands/deployCommands';
import { fixesViewCommands } from './vscode/commands/fixesViewCommands';
import { modelCommands } from './vscode/commands/modelCommands';
import { reviewCommands } from './vscode/commands/reviewCommands';
import type { CommandTable } from './vscode/commands/commandTable';
import { viewCommands } from './vscode/commands/viewCommands';
import { CrashDiagnostics } from './vscode/crashDiagnostics';
import { Deployments } from './vscode/deployments';
import { FixesTreeProvider } from './vscode/fixesTreeProvider';
import { HealNotifications } from './vscode/healNotifications';
import { HealStatusBar } from './vscode/healStatusBar';
import { MissionControl } from './vscode/missionControl';
import { MissionControlFeed } from './vscode/missionControlFeed';
import { PatchReview } from './vscode/patchReview';
import { ProviderFactory } from './vscode/providerFactory';
import { readSettings } from './vscode/extensionSettings';

export class Container implements vscode.Disposable {
  private readonly store = new DisposableStore();
  readonly log: AutodevLog;
  readonly runner: CommandRunner;
  readonly keys: ApiKeyStore;
  /** Tool-calling probe results per (base URL, model), kept across windows; Select Model shows them. */
  readonly capabilities: JsonFileCapabilityCache;
  readonly statusBar: HealStatusBar;
  readonly fixes: FixesTreeProvider;
  readonly review: PatchReview;
  readonly diagnostics: CrashDiagnostics;
  readonly feed: MissionControlFeed;
  readonly deployments: Deployments;
  readonly missionControl: MissionControl;
  private readonly commands: CommandTable;

  constructor(readonly context: vscode.ExtensionContext) {
    const own = <T extends Disposable | vscode.Disposable>(d: T): T => this.store.register(d as Disposable) as T;
    const storageDir = context.globalStorageUri.fsPath;
    this.log = own(new AutodevLog());
    this.runner = new CommandRunner(this.log);
    this.keys = new ApiKeyStore(context.secrets);
    this.capabilities = new JsonFileCapabilityCache(path.join(storageDir, 'tool-capabilities.json'));
    this.statusBar = own(new HealStatusBar());
    this.fixes = own(new FixesTreeProvider());
    this.feed = own(new MissionControlFeed({ workspaceName: vscode.workspace.workspaceFolders?.[0]?.name ?? null }));
    this.missionControl = own(new MissionControl({
      extensionUri: context.extensionUri, feed: this.feed, log: this.log, runner: this.runner,
      invoke: (id, ...args) => this.invoke(id, ...args),
      workspaceDir: () => this.deployments.deployment?.dir,
    }));
    this.review = own(new PatchReview(() => readSettings(this.deployments.deployment?.scope).mode === 'review', () => this.missionControl.viewColumn));
    this.diagnostics = own(new CrashDiagnostics());
    const providers = new ProviderFactory(this.keys, this.log);
    this.deployments = new Deployments({
      log: this.log, keys: this.keys, providers, capabilities: this.capabilities, storageDir,
      beforeDeploy: async (dir, name) => {
        this.diagnostics.setWorkspace(dir);
        this.feed.setWorkspaceName(name);
        this.feed.clearLogs();
        // Mission Control is the view of the loop, not part of it: a panel that fails to open never blocks a deploy.
        await this.missionControl.open(false).catch((err) => this.runner.report('Mission Control', err));
      },
    });
    // Consumers first (they only render), then the messages and prompts that need the user.
    const notifications = new HealNotifications({ log: this.log, runner: this.runner, deploying: () => this.deployments.deploying, invoke: (id, ...args) => this.invoke(id as CommandId, ...args) });
    for (const consumer of [this.feed, this.statusBar, this.fixes, this.review, this.diagnostics, notifications]) own(this.deployments.onEvent((e) => consumer.handle(e)));
    own(vscode.window.createTreeView(Views.fixes, { treeDataProvider: this.fixes, showCollapseAll: false }));
    void vscode.commands.executeCommand(BuiltinCommands.setContext, ContextKeys.autoHealPaused, false);
    own(this.missionControl.registerSerializer());
    this.commands = { ...deployCommands(this), ...reviewCommands(this), ...fixesViewCommands(this), ...modelCommands(this), ...viewCommands(this) };
    for (const [id, handler] of Object.entries(this.commands)) own(this.runner.register(id, handler));
    // Disposing the extension stops the app and removes its containers (registered last: disposed first).
    own(this.deployments);
    this.log.info('command', `activated (VS Code ${vscode.version})`);
  }

  /** Runs an AutoDev command's handler in the command wrapper, without a round trip through VS Code's registry. */
  async invoke(id: CommandId, ...args: unknown[]): Promise<unknown> {
    const handler = this.commands[id];
    if (!handler) return vscode.commands.executeCommand(id, ...args);
    return this.runner.run(id, () => handler(...args));
  }

  /** The API activate() returns. */
  api(): AutodevApi {
    const { deployments, fixes, review } = this;
    return {
      get state() { return deployments.state; },
      get workspaceDir() { return deployments.deployment?.dir; },
      onEvent: (listener) => deployments.onEvent(listener),
      fixes: () => fixes.list(),
      pendingPatchId: () => review.pendingPatch?.id,
      deployWorkspace: () => deployWorkspace(this),
    };
  }

  async dispose(): Promise<void> {
    await this.store.dispose();
  }
}
