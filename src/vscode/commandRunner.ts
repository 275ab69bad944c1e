/** The one wrapper every AutoDev command runs in: logs with the stack, shows the message with "Show Logs", silent on cancel. */
import * as vscode from 'vscode';
import { isAutoDevError } from '../core/errors';
import type { AutodevLog } from './autodevLog';

/** True for the ways a user or the loop says "never mind": those are not errors worth a notification. */
export function isCancellation(err: unknown): boolean {
  if (err instanceof vscode.CancellationError) return true;
  if (isAutoDevError(err, 'Cancelled')) return true;
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'Canceled');
}

export class CommandRunner {
  constructor(private readonly log: AutodevLog) {}

  /** Registers `id` so that `fn` runs inside the wrapper. Returns the registration for the owner to dispose. */
  register(id: string, fn: (...args: any[]) => unknown): vscode.Disposable {
    return vscode.commands.registerCommand(id, (...args: unknown[]) => this.run(id, () => fn(...args)));
  }

  async run<T>(id: string, fn: () => T | Promise<T>): Promise<T | undefined> {
    this.log.debug('command', id);
    try {
      return await fn();
    } catch (err) {
      if (isCancellation(err)) {
        this.log.info('command', `${id} cancelled`);
        return undefined;
      }
      this.report(id, err);
      return undefined;
    }
  }

  /** Logs and shows an error that happened outside a command (an event handler, a background task). */
  report(where: string, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    const code = isAutoDevError(err) ? ` (${err.code})` : '';
    this.log.error('command', `${where} failed${code}: ${message}`, err);
    void vscode.window.showErrorMessage(`AutoDev: ${this.log.mask(message)}`, 'Show Logs').then((pick) => {
      if (pick === 'Show Logs') this.log.show();
    });
  }
}
