/**
 * Composition root of the extension: the one object that owns every service (log, commands, status bar, Problems
 * panel, diff review, Fixes view, Mission Control, the heal session). extension.ts only creates and registers it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AutoDevError } from '../core/errors';
import { DisposableStore, Emitter, type Disposable } from '../core/lifecycle';
import { DockerRuntime } from '../core/runtime/dockerRuntime';
import { HealSession } from '../core/heal/healSession';
import { createProvider } from '../core/agent/providers';
import { JsonFileCapabilityCache } from '../core/agent/toolCallingProbe';
import { apiKeyFromEnv, getPreset } from '../core/agent/presets';
import { endpointOrigin, keyForEndpoint, presetOrigin } from '../core/privacy/keyBinding';
import type { HealController } from '../core/heal/healController';
import type { GitPort } from '../core/git/gitPort';
import type { FixRecord, HealEvent, HealState } from '../core/heal/healEvents';
import type { LlmProvider } from '../core/agent/llmProvider';
import type { WebviewMessage } from '../protocol';
import { MissionControlFeed } from './missionControlFeed';
import { MissionControlPanel } from './missionControlPanel';
import { AutodevLog } from './autodevLog';
import { CommandRunner } from './commandRunner';
import { ApiKeyStore } from './apiKeyStore';
import { HealStatusBar } from './healStatusBar';
import { FixesTreeProvider, fixLabel } from './fixesTreeProvider';
import { PatchReview } from './patchReview';
import { CrashDiagnostics } from './crashDiagnostics';
import { WorkspaceEditPatchApplier, patchFileUri } from './workspaceEditPatchApplier';
import { createGitPort } from './vscodeGitPort';
import { readSettings } from './extensionSettings';
import { assertTrusted } from './workspaceTrust';
import { ConfirmingProvider } from './confirmingProvider';
import { VscodeLmProvider, selectLmChatModel } from './vscodeLmProvider';
import { cloneRepository, validateRepositoryUrl } from './repositoryClone';
import { pickModel, pickPresetForKey, KEY_PRESETS } from './modelPicker';
import type { AutodevApi } from './autodevApi';
import { pickEntry } from './entryPicker';
import { cleanUp } from './cleanUpCommand';
import { openAppTerminal } from './appTerminal';

/** One deployment: its controller and everything subscribed to it. */
interface Deployment {
  dir: string;
  name: string;
  scope: vscode.Uri | undefined;
  controller: HealController;
  gitPort: GitPort;
  subscriptions: DisposableStore;
  /** The entry picked for this deploy (quick pick or setting), for the app terminal. */
  entry?: string;
}

export class AutodevServices implements vscode.Disposable {
  private readonly store = new DisposableStore();
  readonly log: AutodevLog;
  private readonly runner: CommandRunner;
  private readonly keys: ApiKeyStore;
  private readonly statusBar: HealStatusBar;
  private readonly fixes: FixesTreeProvider;
  private readonly review: PatchReview;
  private readonly diagnostics: CrashDiagnostics;
  private readonly feed: MissionControlFeed;
  private readonly events = new Emitter<HealEvent>();
  private panel: MissionControlPanel | null = null;
  private deployment: Deployment | null = null;
  private autoHealPaused = false;
  private state: HealState = 'IDLE';
  private deploying = false;
  /** Tool-calling probe results per (base URL, model), kept across windows; Select Model shows them. */
  private readonly capabilities: JsonFileCapabilityCache;

  constructor(private readonly context: vscode.ExtensionContext) {
    const own = <T extends Disposable | vscode.Disposable>(d: T): T => this.store.register(d as Disposable) as T;
    this.log = own(new AutodevLog());
    this.runner = new CommandRunner(this.log);
    this.keys = new ApiKeyStore(context.secrets);
    this.capabilities = new JsonFileCapabilityCache(path.join(context.globalStorageUri.fsPath, 'tool-capabilities.json'));
    this.statusBar = own(new HealStatusBar());
    this.fixes = own(new FixesTreeProvider());
    this.review = own(new PatchReview(() => readSettings(this.deployment?.scope).mode === 'review', () => this.panel?.panel.viewColumn));
    this.diagnostics = own(new CrashDiagnostics());
    this.feed = own(new MissionControlFeed({ workspaceName: vscode.workspace.workspaceFolders?.[0]?.name ?? null }));
    own(this.events);
    own(vscode.window.createTreeView('autodev.views.fixes', { treeDataProvider: this.fixes, showCollapseAll: false }));
    void vscode.commands.executeCommand('setContext', 'autodev.autoHealPaused', false);

    // Mission Control restores itself after a window reload (the panel serializer is the activation event).
    own(vscode.window.registerWebviewPanelSerializer(MissionControlPanel.viewType, {
      deserializeWebviewPanel: async (webviewPanel) => this.adoptPanel(MissionControlPanel.revive(webviewPanel, this.context.extensionUri, this.feed, (m) => this.onWebviewMessage(m))),
    }));
    this.registerCommands();
    // Disposing the extension stops the app and removes its containers.
    own({ dispose: () => this.disposeDeployment() });
    this.log.info('command', `activated (VS Code ${vscode.version})`);
  }

  /** The API activate() returns. */
  api(): AutodevApi {
    const services = this; // the getters below read live fields
    return {
      get state() { return services.state; },
      get workspaceDir() { return services.deployment?.dir; },
      onEvent: (listener) => this.events.event(listener),
      fixes: () => this.fixes.list(),
      pendingPatchId: () => this.review.pendingPatch?.id,
      deployWorkspace: () => this.deployWorkspace(),
    };
  }

  private registerCommands(): void {
    const reg = (id: string, fn: (...args: any[]) => unknown) => this.store.register(this.runner.register(id, fn));
    reg('autodev.deployWorkspace', () => this.deployWorkspace());
    reg('autodev.deployRepository', () => this.deployRepository());
    reg('autodev.stop', () => this.requireDeployment().controller.stop());
    reg('autodev.restart', () => this.requireDeployment().controller.restart());
    reg('autodev.fixNow', () => {
      assertTrusted(vscode.workspace.isTrusted, 'fix');
      return this.requireDeployment().controller.fixNow();
    });
    reg('autodev.openMissionControl', () => this.openMissionControl(true));
    reg('autodev.acceptPatch', (arg?: unknown) => this.acceptPatch(arg));
    reg('autodev.rejectPatch', (arg?: unknown) => this.rejectPatch(arg));
    reg('autodev.setApiKey', () => this.setApiKey());
    reg('autodev.selectModel', () => pickModel(this.log, this.capabilities));
    reg('autodev.pauseAutoHeal', () => this.setAutoHealPaused(true));
    reg('autodev.resumeAutoHeal', () => this.setAutoHealPaused(false));
    reg('autodev.showLogs', () => this.log.show());
    reg('autodev.fixes.showDiff', (fix?: FixRecord) => this.review.showFix(this.requireFix(fix)));
    reg('autodev.fixes.revert', (fix?: FixRecord) => this.revertFix(this.requireFix(fix)));
    reg('autodev.fixes.push', (fix?: FixRecord) => this.pushFix(this.requireFix(fix)));
    reg('autodev.raiseMemoryLimit', () => this.requireDeployment().controller.raiseMemoryLimit());
    reg('autodev.cleanUp', () => cleanUp(new DockerRuntime({ dockerHost: readSettings(this.deployment?.scope).dockerHost }), this.log));
    reg('autodev.openAppTerminal', () => this.openAppTerminal());
  }

  // ── deploy ──────────────────────────────────────────────────────────────────────────────────────────────

  async deployWorkspace(): Promise<void> {
    assertTrusted(vscode.workspace.isTrusted, 'deploy');
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) throw new AutoDevError('Usage', 'Open a folder first: AutoDev deploys the workspace folder (or use "AutoDev: Deploy Repository…").');
    const folder = folders.length === 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Which folder should AutoDev deploy?' });
    if (!folder) throw new vscode.CancellationError();
    await this.deploy(folder.uri.fsPath, folder.name, folder.uri);
  }

  private async deployRepository(): Promise<void> {
    assertTrusted(vscode.workspace.isTrusted, 'deploy');
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
    this.log.info('git', `cloned ${url} into ${dir}`);
    await this.deploy(dir, path.basename(dir), vscode.Uri.file(dir));
    void vscode.window.showInformationMessage(`AutoDev deployed ${path.basename(dir)}.`, 'Open Folder').then((pick) => {
      if (pick) void vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(dir), { forceNewWindow: true });
    });
  }

  private async deploy(dir: string, name: string, scope: vscode.Uri | undefined): Promise<void> {
    const started = performance.now();
    await this.disposeDeployment();
    const settings = readSettings(scope);
    // Several apps could run and no setting says which: the user picks (the CLI lists them and asks for --entry).
    const entry = await pickEntry(dir, settings.runtime.entry);
    if (entry) settings.runtime = { ...settings.runtime, entry };
    const secrets = await this.keys.all(KEY_PRESETS);
    for (const s of secrets) this.log.addSecret(s);
    fs.mkdirSync(this.context.globalStorageUri.fsPath, { recursive: true });
    const gitPort = await createGitPort();
    const session = new HealSession({
      workspaceDir: dir,
      runtime: settings.runtime,
      containerRuntime: new DockerRuntime({ dockerHost: settings.dockerHost }),
      provider: () => this.createProvider(scope),
      secrets,
      mode: settings.mode,
      verify: settings.verify,
      fix: settings.fix,
      git: settings.git,
      applier: new WorkspaceEditPatchApplier({ onNote: (text) => this.log.warn('review', text) }),
      gitPort,
      capabilities: this.capabilities,
      budgetFile: path.join(this.context.globalStorageUri.fsPath, 'budget.json'),
    });
    // The output channel masks with the workspace's masker too (its .env values, credentials the proxy saw).
    this.log.useWorkspaceMasker(session.masker);
    const controller: HealController = session;
    const subscriptions = new DisposableStore();
    subscriptions.register(controller.onEvent((e) => this.onHealEvent(e)));
    this.deployment = { dir, name, scope, controller, gitPort, subscriptions, entry: settings.runtime.entry };
    controller.setAutoHealPaused(this.autoHealPaused);
    this.diagnostics.setWorkspace(dir);
    this.feed.setWorkspaceName(name);
    this.feed.clearLogs();
    this.log.info('runtime', `deploying ${dir} (${settings.runtime.memoryMb} MiB, ${settings.runtime.cpus} CPU, provider ${settings.model.provider}, mode ${settings.mode})`);
    // Mission Control is the view of the loop, not part of it: a panel that fails to open never blocks a deploy.
    await this.openMissionControl(false).catch((err) => this.runner.report('Mission Control', err));
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `AutoDev: deploying ${name}`, cancellable: true },
      async (progress, token) => {
        // The current build step, as Docker announces it (its output streams to Mission Control meanwhile).
        let lastStep = 0;
        const sub = controller.onEvent((e) => {
          if (e.kind !== 'build' || (!e.step && !e.note)) return;
          const increment = e.step ? ((e.step.index - lastStep) / e.step.total) * 100 : undefined;
          if (e.step) lastStep = e.step.index;
          progress.report({ message: e.text.slice(0, 100), ...(increment ? { increment } : {}) });
        });
        this.deploying = true;
        try {
          await controller.deploy(abortSignal(token));
        } finally {
          this.deploying = false;
          sub.dispose();
        }
      },
    );
    this.log.perf('deploy', started);
  }

  private async createProvider(scope: vscode.Uri | undefined): Promise<LlmProvider> {
    assertTrusted(vscode.workspace.isTrusted, 'fix');
    const s = readSettings(scope);
    let provider: LlmProvider;
    if (s.model.provider === 'vscode-lm') {
      provider = new VscodeLmProvider(await selectLmChatModel(s.model.model));
    } else if (s.model.provider === 'openai') {
      const apiKey = await this.keyFor(s.model.preset, s.model.baseUrl ?? getPreset(s.model.preset)?.baseUrl);
      this.log.addSecret(apiKey);
      provider = createProvider({ kind: 'openai', preset: s.model.preset, baseUrl: s.model.baseUrl, model: s.model.model, apiKey, timeoutMs: s.fix.timeoutMs }, { stream: s.model.stream });
    } else {
      provider = createProvider({ kind: 'builtin' });
    }
    this.log.info('model', `using ${provider.id}/${provider.model}`);
    return s.confirmBeforeSend && provider.id !== 'builtin' ? new ConfirmingProvider(provider) : provider;
  }

  /**
   * The key that may go to `baseUrl`: a stored key bound to its origin, or — after the user confirms, since a
   * workspace's settings can move the base URL — one entered for another origin; a new key can be entered for it
   * instead. Without a stored key: the env var, a vendor's only for that vendor's origin (AUTODEV_API_KEY is the
   * generic one, as in the CLI).
   */
  private async keyFor(preset: string, baseUrl: string | undefined): Promise<string | undefined> {
    const keys = await this.keys.keys(preset);
    if (!keys) return apiKeyFromEnv(process.env, preset, baseUrl);
    const decision = keyForEndpoint(keys, baseUrl);
    if (decision.kind === 'use') return decision.key;
    if (decision.kind === 'none') return undefined;
    const send = `Send It to ${decision.origin}`;
    const other = 'Enter a Key for This Endpoint';
    const pick = await vscode.window.showWarningMessage(
      `AutoDev: your ${preset} API key was entered for ${decision.boundTo.join(', ') || 'another endpoint'}, but the model base URL now points at ${decision.origin}.`,
      { modal: true, detail: `autodev.model.baseUrl decides where the key goes, and a workspace's settings can change it. Send the key only to an endpoint you trust.` },
      send,
      other,
    );
    if (pick === send) {
      await this.keys.allow(preset, decision.key, decision.origin);
      this.log.info('model', `the ${preset} key may now go to ${decision.origin} (confirmed)`);
      return decision.key;
    }
    if (pick === other) {
      const value = (await vscode.window.showInputBox({ title: `AutoDev: API key for ${decision.origin}`, prompt: 'Stored in VS Code SecretStorage, bound to this endpoint.', password: true, ignoreFocusOut: true }))?.trim();
      if (!value) throw new vscode.CancellationError();
      await this.keys.set(preset, value, decision.origin);
      this.log.addSecret(value);
      return value;
    }
    this.log.info('model', `not sending the ${preset} key to ${decision.origin}: not confirmed`);
    throw new vscode.CancellationError();
  }

  private async disposeDeployment(): Promise<void> {
    const d = this.deployment;
    if (!d) return;
    this.deployment = null;
    this.log.useWorkspaceMasker(null);
    await d.subscriptions.dispose();
    try {
      await d.controller.dispose();
    } catch (err) {
      this.log.error('runtime', 'stopping the previous deployment failed', err);
    }
  }

  /** A terminal attached to the app (its stdin open), for programs that want input. */
  private async openAppTerminal(): Promise<void> {
    assertTrusted(vscode.workspace.isTrusted, 'deploy');
    const d = this.requireDeployment();
    // The deployed container has no stdin; the terminal's container replaces it.
    await d.controller.stop();
    const settings = readSettings(d.scope);
    openAppTerminal(this.context.extensionPath, d.dir, { ...settings.runtime, ...(d.entry ? { entry: d.entry } : {}) }, settings.dockerHost);
  }

  private requireDeployment(): Deployment {
    if (!this.deployment) throw new AutoDevError('Usage', 'Nothing is deployed: run "AutoDev: Deploy Workspace" first.');
    return this.deployment;
  }

  // ── events from the heal loop ───────────────────────────────────────────────────────────────────────────

  private onHealEvent(e: HealEvent): void {
    // Consumers first (they only render), then the prompts that need the user.
    this.feed.handle(e);
    this.statusBar.handle(e);
    this.fixes.handle(e);
    this.review.handle(e);
    this.diagnostics.handle(e);
    this.events.fire(e);
    switch (e.kind) {
      case 'state':
        this.state = e.state;
        this.log.info('runtime', `${e.previous} → ${e.state}${e.reason ? ` (${e.reason})` : ''}`);
        return;
      case 'crash':
        this.log.info('crash', `${e.crash.type}: ${e.crash.message}${e.crash.userFrame ? ` at ${e.crash.userFrame.workspaceFile ?? e.crash.userFrame.file}:${e.crash.userFrame.line}` : ''} (×${e.occurrences})`);
        if (e.resourceKill) void this.offerResourceKill(e.resourceKill.memoryLimitMb);
        return;
      case 'agent/tool':
        this.log.info('agent', `attempt ${e.activity.attempt}: ${e.activity.tool} ${e.activity.ok ? 'ok' : 'failed'}`);
        return;
      case 'model/request':
        this.log.info('model', `request to ${e.record.provider}/${e.record.model}: ${e.record.files.length} file(s), ${e.record.logLines} log line(s), masked ${JSON.stringify(e.record.redactions)}`);
        return;
      case 'verify':
        this.log.info('verify', `attempt ${e.attempt}: ${e.result.passed ? 'passed' : 'failed'} — ${e.result.checks.map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
        return;
      case 'budget/warn':
        this.log.warn('agent', e.message);
        void vscode.window.showWarningMessage(`AutoDev: ${e.message}`);
        return;
      case 'commit':
        this.log.info('git', `committed ${e.sha.slice(0, 10)}: ${e.message.split('\n')[0]}`);
        return;
      case 'push':
        this.log.info('git', `push ${e.ok ? 'ok' : 'failed'}: ${e.message}`);
        return;
      case 'error':
        // A failing deploy() also throws, and the command wrapper reports that: one notification, not two.
        if (this.deploying) this.log.error('runtime', `${e.code}: ${e.message}`);
        else this.runner.report('heal loop', new AutoDevError(e.code as never, e.message));
        return;
      case 'done':
        this.log.info('runtime', `done: ${e.healed ? 'healed' : 'not healed'} — ${e.reason}`);
        if (e.healed) {
          void vscode.window.showInformationMessage(`AutoDev healed ${e.fix ? fixLabel(e.fix) : 'the crash'}${e.mttrMs !== undefined ? ` in ${(e.mttrMs / 1000).toFixed(1)} s` : ''}.`, 'Show Fixes').then((pick) => {
            if (pick) void vscode.commands.executeCommand('autodev.views.fixes.focus');
          });
        } else if (e.nothingToHeal === 'needs-input') {
          void vscode.window.showInformationMessage(`AutoDev: ${e.reason}`, 'Open App Terminal').then((pick) => {
            if (pick) void vscode.commands.executeCommand('autodev.openAppTerminal');
          });
        } else if (!e.fix) {
          void vscode.window.showInformationMessage(`AutoDev: ${e.reason}`); // e.g. the app exited 0: nothing to heal
        } else if (e.fix.status !== 'rejected') {
          void vscode.window.showWarningMessage(`AutoDev could not heal ${fixLabel(e.fix)}: ${e.reason}`, 'Show Logs').then((pick) => pick && this.log.show());
        }
        return;
    }
  }

  private async offerResourceKill(limitMb: number | undefined): Promise<void> {
    const pick = await vscode.window.showWarningMessage(
      `AutoDev: the app was killed for memory: limit ${limitMb ?? '?'} MiB. This is usually not a code bug.`,
      'Raise limit and restart', 'Ask the model anyway',
    );
    if (pick === 'Raise limit and restart') await this.runner.run('autodev.raiseMemoryLimit', () => this.requireDeployment().controller.raiseMemoryLimit());
    else if (pick === 'Ask the model anyway') await vscode.commands.executeCommand('autodev.fixNow');
  }

  // ── review ──────────────────────────────────────────────────────────────────────────────────────────────

  private async acceptPatch(arg: unknown): Promise<void> {
    assertTrusted(vscode.workspace.isTrusted, 'fix');
    const id = this.review.resolvePatchId(arg);
    if (!id) throw new AutoDevError('NotFound', 'There is no patch waiting for review.');
    const { controller } = this.requireDeployment();
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'AutoDev: applying the fix and restarting…' }, () => controller.accept(id));
    await this.review.closeDiffs(id);
  }

  private async rejectPatch(arg: unknown): Promise<void> {
    const id = this.review.resolvePatchId(arg);
    if (!id) throw new AutoDevError('NotFound', 'There is no patch waiting for review.');
    await this.requireDeployment().controller.reject(id);
    await this.review.closeDiffs(id);
  }

  // ── fixes view ──────────────────────────────────────────────────────────────────────────────────────────

  private requireFix(fix: FixRecord | undefined): FixRecord {
    const found = fix?.id ? this.fixes.get(fix.id) ?? fix : this.fixes.list()[0];
    if (!found) throw new AutoDevError('NotFound', 'There is no fix yet.');
    return found;
  }

  private gitTarget(): { dir: string; git: GitPort } {
    const d = this.requireDeployment();
    return { dir: d.dir, git: d.gitPort };
  }

  private async revertFix(fix: FixRecord): Promise<void> {
    if (!fix.commit) throw new AutoDevError('GitError', `"${fixLabel(fix)}" was not committed, so there is nothing to revert. Reject or undo the edit instead.`);
    const { dir, git } = this.gitTarget();
    // No confirmation: a revert is itself a new commit, so it is undone by reverting it (history is never rewritten).
    const sha = await git.revert(dir, fix.commit);
    this.fixes.upsert({ ...fix, status: 'reverted', reason: `reverted by ${sha.slice(0, 7)}` });
    this.log.info('git', `reverted ${fix.commit.slice(0, 10)} with ${sha.slice(0, 10)}`);
    void vscode.window.showInformationMessage(`AutoDev reverted "${fixLabel(fix)}" (${sha.slice(0, 7)}).`);
  }

  private async pushFix(fix: FixRecord): Promise<void> {
    if (!fix.commit) throw new AutoDevError('GitError', `"${fixLabel(fix)}" was not committed yet, so there is nothing to push.`);
    const { dir, git } = this.gitTarget();
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'AutoDev: pushing the fix…' }, () => git.push(dir));
    this.fixes.upsert({ ...fix, status: 'pushed' });
    this.feed.handle({ kind: 'fix', fix: { ...fix, status: 'pushed' } });
    this.log.info('git', `pushed ${fix.commit.slice(0, 10)}`);
    void vscode.window.showInformationMessage(`AutoDev pushed "${fixLabel(fix)}".`);
  }

  // ── settings-ish commands ───────────────────────────────────────────────────────────────────────────────

  private async setApiKey(): Promise<void> {
    const preset = await pickPresetForKey(readSettings().model.preset);
    if (!preset) throw new vscode.CancellationError();
    const value = await vscode.window.showInputBox({
      title: `AutoDev: API key for ${preset}`, prompt: 'Stored in VS Code SecretStorage (never in settings or logs). Leave empty to remove the stored key.',
      password: true, ignoreFocusOut: true,
    });
    if (value === undefined) throw new vscode.CancellationError();
    if (!value.trim()) {
      await this.keys.delete(preset);
      void vscode.window.showInformationMessage(`AutoDev: removed the stored key for ${preset}.`);
      return;
    }
    // Bound to the endpoint it is entered for: the preset's own, or (custom) the user's — not a workspace's — base URL.
    const userBaseUrl = vscode.workspace.getConfiguration('autodev').inspect<string>('model.baseUrl')?.globalValue;
    await this.keys.set(preset, value.trim(), presetOrigin(preset) ?? endpointOrigin(userBaseUrl));
    this.log.addSecret(value.trim());
    this.log.info('model', `stored an API key for ${preset}`);
    void vscode.window.showInformationMessage(`AutoDev: key for ${preset} stored in SecretStorage.`);
  }

  private setAutoHealPaused(paused: boolean): void {
    this.autoHealPaused = paused;
    this.deployment?.controller.setAutoHealPaused(paused);
    this.feed.setAutoHealPaused(paused);
    this.statusBar.setPaused(paused);
    void vscode.commands.executeCommand('setContext', 'autodev.autoHealPaused', paused);
    this.log.info('command', `auto-heal ${paused ? 'paused' : 'resumed'}`);
  }

  // ── Mission Control ─────────────────────────────────────────────────────────────────────────────────────

  private async openMissionControl(focus: boolean): Promise<void> {
    if (this.panel) {
      this.panel.reveal(!focus);
      return;
    }
    this.adoptPanel(MissionControlPanel.create(this.context.extensionUri, this.feed, (m) => this.onWebviewMessage(m), !focus));
  }

  private adoptPanel(panel: MissionControlPanel): void {
    this.panel = panel;
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = null;
    });
  }

  /** Messages were validated by the panel (parseWebviewMessage); each goes through the same command wrapper. */
  private async onWebviewMessage(m: WebviewMessage): Promise<void> {
    this.log.debug('webview', m.type);
    switch (m.type) {
      case 'ready':
        return; // the panel attaches the feed, which sends the snapshot
      case 'deploy':
        return void vscode.commands.executeCommand('autodev.deployWorkspace');
      case 'stop':
        return void vscode.commands.executeCommand('autodev.stop');
      case 'restart':
        return void vscode.commands.executeCommand('autodev.restart');
      case 'fix/now':
      case 'crash/askModel':
        return void vscode.commands.executeCommand('autodev.fixNow');
      case 'autoHeal/setPaused':
        return void vscode.commands.executeCommand(m.paused ? 'autodev.pauseAutoHeal' : 'autodev.resumeAutoHeal');
      case 'fix/accept':
        return void vscode.commands.executeCommand('autodev.acceptPatch', m.patchId);
      case 'fix/reject':
        return void vscode.commands.executeCommand('autodev.rejectPatch', m.patchId);
      case 'memory/raiseLimit':
        return void vscode.commands.executeCommand('autodev.raiseMemoryLimit');
      case 'file/open':
        await this.runner.run('file/open', async () => {
          const dir = this.deployment?.dir ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
          if (!dir) return;
          const uri = patchFileUri(dir, m.file); // refuses paths outside the workspace
          const line = Math.max(0, (m.line ?? 1) - 1);
          await vscode.window.showTextDocument(uri, { selection: new vscode.Range(line, 0, line, 0), preview: true });
        });
        return;
    }
  }

  async dispose(): Promise<void> {
    this.panel?.dispose();
    await this.store.dispose();
  }
}

/** Bridges a CancellationToken to the AbortSignal the core takes. */
function abortSignal(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
