/** What the user hears about the heal loop: one log line per event, and the toasts that need an answer. */
import * as vscode from 'vscode';
import { BuiltinCommands, Commands } from '../constants';
import { AutoDevError, type AutoDevErrorCode } from '../core/errors';
import type { HealEvent } from '../core/heal/healEvents';
import { evidenceLines, verdictWords } from '../core/replay/evidenceText';
import type { AutodevLog } from './autodevLog';
import type { CommandRunner } from './commandRunner';
import { fixLabel } from './fixesTreeProvider';

export interface HealNotificationsOptions {
  log: AutodevLog;
  runner: CommandRunner;
  /** True while a deploy command runs (it reports its own failure: one notification, not two). */
  deploying(): boolean;
  /** Runs an AutoDev command through the command wrapper. */
  invoke(id: string, ...args: unknown[]): Promise<unknown>;
}

export class HealNotifications {
  constructor(private readonly o: HealNotificationsOptions) {}

  handle(e: HealEvent): void {
    const { log } = this.o;
    switch (e.kind) {
      case 'state':
        log.info('runtime', `${e.previous} → ${e.state} [${e.trigger}]${e.reason ? ` (${e.reason})` : ''}`);
        return;
      case 'crash':
        log.info('crash', `${e.crash.type}: ${e.crash.message}${e.crash.userFrame ? ` at ${e.crash.userFrame.workspaceFile ?? e.crash.userFrame.file}:${e.crash.userFrame.line}` : ''} (×${e.occurrences})`);
        if (e.resourceKill) void this.offerResourceKill(e.resourceKill.memoryLimitMb);
        return;
      case 'agent/tool':
        log.info('agent', `attempt ${e.activity.attempt}: ${e.activity.tool} ${e.activity.ok ? 'ok' : 'failed'}`);
        return;
      case 'model/request':
        log.info('model', `request to ${e.record.provider}/${e.record.model}: ${e.record.files.length} file(s), ${e.record.logLines} log line(s), masked ${JSON.stringify(e.record.redactions)}`);
        return;
      case 'verify':
        log.info('verify', `attempt ${e.attempt}: ${verdictWords(e.result)} — ${e.result.checks.map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
        for (const l of evidenceLines(e.result)) log.info('verify', l);
        return;
      case 'budget/warn':
        log.warn('agent', e.message);
        void vscode.window.showWarningMessage(`AutoDev: ${e.message}`);
        return;
      case 'commit':
        log.info('git', `committed ${e.sha.slice(0, 10)}: ${e.message.split('\n')[0]}`);
        return;
      case 'push':
        log.info('git', `push ${e.ok ? 'ok' : 'failed'}: ${e.message}`);
        return;
      case 'error':
        // A failing deploy() also throws, and the command wrapper reports that: one notification, not two.
        if (this.o.deploying()) log.error('runtime', `${e.code}: ${e.message}`);
        else this.o.runner.report('heal loop', new AutoDevError(e.code as AutoDevErrorCode, e.message));
        return;
      case 'done':
        return this.done(e);
    }
  }

  private done(e: Extract<HealEvent, { kind: 'done' }>): void {
    const { log } = this.o;
    log.info('runtime', `done: ${e.healed ? 'healed' : e.unverified ? 'unverified' : 'not healed'} — ${e.reason}`);
    if (e.healed) {
      void vscode.window.showInformationMessage(`AutoDev healed ${e.fix ? fixLabel(e.fix) : 'the crash'}${e.mttrMs !== undefined ? ` in ${(e.mttrMs / 1000).toFixed(1)} s` : ''}.`, 'Show Fixes').then((pick) => {
        if (pick) void vscode.commands.executeCommand(BuiltinCommands.focusFixes);
      });
    } else if (e.nothingToHeal === 'needs-input') {
      void vscode.window.showInformationMessage(`AutoDev: ${e.reason}`, 'Open App Terminal').then((pick) => {
        if (pick) void this.o.invoke(Commands.openAppTerminal);
      });
    } else if (e.unverified) {
      // Never "healed": nothing reproduced the crash, so nothing proves the candidate; it was not applied.
      void vscode.window.showWarningMessage(`AutoDev: the fix for ${e.fix ? fixLabel(e.fix) : 'the crash'} is unverified — ${e.reason}. Nothing was applied or committed.`, 'Show Fixes', 'Show Logs').then((pick) => {
        if (pick === 'Show Fixes') void vscode.commands.executeCommand(BuiltinCommands.focusFixes);
        else if (pick === 'Show Logs') log.show();
      });
    } else if (!e.fix) {
      void vscode.window.showInformationMessage(`AutoDev: ${e.reason}`); // e.g. the app exited 0: nothing to heal
    } else if (e.fix.status !== 'rejected') {
      void vscode.window.showWarningMessage(`AutoDev could not heal ${fixLabel(e.fix)}: ${e.reason}`, 'Show Logs').then((pick) => pick && log.show());
    }
  }

  private async offerResourceKill(limitMb: number | undefined): Promise<void> {
    const pick = await vscode.window.showWarningMessage(
      `AutoDev: the app was killed for memory: limit ${limitMb ?? '?'} MiB. This is usually not a code bug.`,
      'Raise limit and restart', 'Ask the model anyway',
    );
    if (pick === 'Raise limit and restart') await this.o.invoke(Commands.raiseMemoryLimit);
    else if (pick === 'Ask the model anyway') await this.o.invoke(Commands.fixNow);
  }
}
