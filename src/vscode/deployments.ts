/**
 * The deployment of this window: one heal session at a time with its folder, git port and entry; deploying builds the
 * session from the settings (the composition of the core for VS Code) and forwards its events to one emitter.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AutoDevError } from '../core/errors';
import { DisposableStore, Emitter, type Disposable } from '../core/lifecycle';
import type { ToolCapabilityCache } from '../core/agent/capabilityCache';
import type { GitPort } from '../core/git/gitPort';
import type { HealController } from '../core/heal/healController';
import type { HealEvent, HealState } from '../core/heal/healEvents';
import type { ApiKeyStore } from './apiKeyStore';
import type { AutodevLog } from './autodevLog';
import { pickEntry } from './entryPicker';
import { readSettings } from './extensionSettings';
import { KEY_PRESETS } from './modelPicker';
import type { ProviderFactory } from './providerFactory';

/** One deployment: its controller and everything subscribed to it. */
export interface Deployment {
  dir: string;
  name: string;
  scope: vscode.Uri | undefined;
  controller: HealController;
  gitPort: GitPort;
  subscriptions: DisposableStore;
  /** The entry picked for this deploy (quick pick or setting), for the app terminal. */
  entry?: string;
}

export interface DeploymentsOptions {
  log: AutodevLog;
  keys: ApiKeyStore;
  providers: ProviderFactory;
  capabilities: ToolCapabilityCache;
  storageDir: string;
  /** Runs before the session deploys (opens Mission Control); its failure never blocks a deploy. */
  beforeDeploy(dir: string, name: string): Promise<void>;
}

export class Deployments implements Disposable {
  private readonly events = new Emitter<HealEvent>();
  private current: Deployment | null = null;
  private paused = false;
  /** The loop's state as last reported (IDLE before any deployment). */
  state: HealState = 'IDLE';
  /** True while deploy() runs: its errors are reported once, by the command that started it. */
  deploying = false;

  constructor(private readonly o: DeploymentsOptions) {}

  /** Every event of the current deployment's session, in order. */
  readonly onEvent = this.events.event;

  get deployment(): Deployment | null {
    return this.current;
  }

  require(): Deployment {
    if (!this.current) throw new AutoDevError('Usage', 'Nothing is deployed: run "AutoDev: Deploy Workspace" first.');
    return this.current;
  }

  get autoHealPaused(): boolean {
    return this.paused;
  }

  setAutoHealPaused(paused: boolean): void {
    this.paused = paused;
    this.current?.controller.setAutoHealPaused(paused);
  }

  async deploy(dir: string, name: string, scope: vscode.Uri | undefined): Promise<void> {
    const { log } = this.o;
    const started = performance.now();
    await this.disposeCurrent();
    const settings = readSettings(scope);
    // Several apps could run and no setting says which: the user picks (the CLI lists them and asks for --entry).
    const entry = await pickEntry(dir, settings.runtime.entry);
    if (entry) settings.runtime = { ...settings.runtime, entry };
    const secrets = await this.o.keys.all(KEY_PRESETS);
    for (const s of secrets) log.addSecret(s);
    fs.mkdirSync(this.o.storageDir, { recursive: true });
    // The heal core, the engines (dockerode) and git load on the first deploy, not at activation.
    const [{ HealSession }, { createEngines }, { createGitPort }, { WorkspaceEditPatchApplier }] = await Promise.all([
      import('../core/heal/healSession'),
      import('../core/runtime/engineSelection'),
      import('./vscodeGitPort'),
      import('./workspaceEditPatchApplier'),
    ]);
    const gitPort = await createGitPort({ runHooks: settings.git.runHooks });
    const session = new HealSession({
      workspaceDir: dir,
      runtime: settings.runtime,
      containerRuntime: (await createEngines({ ...settings.engine, env: process.env })).runtime,
      provider: () => this.o.providers.create(scope),
      secrets,
      mode: settings.mode,
      verify: settings.verify,
      fix: settings.fix,
      git: settings.git,
      applier: new WorkspaceEditPatchApplier({ onNote: (text) => log.warn('review', text) }),
      gitPort,
      capabilities: this.o.capabilities,
      logger: log,
      budgetFile: path.join(this.o.storageDir, 'budget.json'),
    });
    // The output channel masks with the workspace's masker too (its .env values, credentials the proxy saw).
    log.useWorkspaceMasker(session.masker);
    const controller: HealController = session;
    const subscriptions = new DisposableStore();
    subscriptions.register(controller.onEvent((e) => {
      if (e.kind === 'state') this.state = e.state;
      this.events.fire(e);
    }));
    this.current = { dir, name, scope, controller, gitPort, subscriptions, entry: settings.runtime.entry };
    controller.setAutoHealPaused(this.paused);
    log.info('runtime', `deploying ${dir} (${settings.runtime.memoryMb} MiB, ${settings.runtime.cpus} CPU, provider ${settings.model.provider}, mode ${settings.mode})`);
    await this.o.beforeDeploy(dir, name);
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
    log.perf('deploy', started);
  }

  async disposeCurrent(): Promise<void> {
    const d = this.current;
    if (!d) return;
    this.current = null;
    this.o.log.useWorkspaceMasker(null);
    await d.subscriptions.dispose();
    try {
      await d.controller.dispose();
    } catch (err) {
      this.o.log.error('runtime', 'stopping the previous deployment failed', err);
    }
  }

  /** Disposing stops the app and removes its containers. */
  async dispose(): Promise<void> {
    await this.disposeCurrent();
    this.events.dispose();
  }
}

/** Bridges a CancellationToken to the AbortSignal the core takes. */
export function abortSignal(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
