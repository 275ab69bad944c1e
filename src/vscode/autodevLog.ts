/** The one "AutoDev" LogOutputChannel: component tags, perf markers, and secrets masked before anything is written. */
import * as vscode from 'vscode';
import type { LogComponent, Logger } from '../core/common/logger';
import type { Disposable } from '../core/lifecycle';
import { createSecretMasker, type SecretMasker } from '../core/privacy/secretMasker';

export type { LogComponent } from '../core/common/logger';

export class AutodevLog implements Disposable, Logger {
  readonly channel: vscode.LogOutputChannel;
  /** Keys and known credential shapes; the deployed workspace's masker (its .env values, observed secrets) on top. */
  private readonly own: SecretMasker = createSecretMasker({ secrets: [] });
  private workspace: SecretMasker | null = null;

  constructor() {
    this.channel = vscode.window.createOutputChannel('AutoDev', { log: true });
  }

  /** Values (API keys) to mask in everything logged from now on. Short values are ignored: they would mask noise. */
  addSecret(value: string | undefined): void {
    if (value && value.length >= 8) this.own.addSecret(value, 'configured-key');
  }

  /** The deployed workspace's masker (null when nothing is deployed). */
  useWorkspaceMasker(masker: SecretMasker | null): void {
    this.workspace = masker;
  }

  mask(text: string): string {
    const out = this.own.maskText(text);
    return this.workspace ? this.workspace.maskText(out) : out;
  }

  info(component: LogComponent, message: string): void {
    this.channel.info(`[${component}] ${this.mask(message)}`);
  }

  warn(component: LogComponent, message: string): void {
    this.channel.warn(`[${component}] ${this.mask(message)}`);
  }

  debug(component: LogComponent, message: string): void {
    this.channel.debug(`[${component}] ${this.mask(message)}`);
  }

  error(component: LogComponent, message: string, err?: unknown): void {
    const detail = err instanceof Error ? `\n${err.stack ?? err.message}${(err as { detail?: string }).detail ? `\n${(err as { detail?: string }).detail}` : ''}` : err !== undefined ? `\n${String(err)}` : '';
    this.channel.error(`[${component}] ${this.mask(message + detail)}`);
  }

  /** `[perf] deploy 812 ms` */
  perf(label: string, startedAt: number): void {
    this.channel.info(`[perf] ${label} ${Math.round(performance.now() - startedAt)} ms`);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
