/** The one "AutoDev" LogOutputChannel: component tags, perf markers, and secrets masked before anything is written. */
import * as vscode from 'vscode';
import type { Disposable } from '../core/lifecycle';

export type LogComponent = 'runtime' | 'crash' | 'agent' | 'verify' | 'git' | 'webview' | 'command' | 'perf' | 'review' | 'model' | 'trust';

export class AutodevLog implements Disposable {
  readonly channel: vscode.LogOutputChannel;
  private readonly secrets = new Set<string>();

  constructor() {
    this.channel = vscode.window.createOutputChannel('AutoDev', { log: true });
  }

  /** Values (API keys) to mask in everything logged from now on. Short values are ignored: they would mask noise. */
  addSecret(value: string | undefined): void {
    if (value && value.length >= 8) this.secrets.add(value);
  }

  mask(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('***');
    // Known key shapes, in case a key arrived some other way (env var, pasted into a URL).
    return out
      .replace(/\b(sk-(?:or-v1-|proj-)?[A-Za-z0-9_-]{16,})/g, 'sk-***')
      .replace(/\bAIza[0-9A-Za-z_-]{30,}/g, 'AIza***')
      .replace(/(\/\/[^/\s:@]+:)[^/\s@]+@/g, '$1***@');
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
