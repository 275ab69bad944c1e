/** Status bar item and the `autodev.state` context key: the loop's state at a glance; click opens Mission Control. */
import * as vscode from 'vscode';
import { BuiltinCommands, Commands, ContextKeys, StatusBarId } from '../constants';
import type { HealEvent, HealState } from '../core/heal/healEvents';

const ICONS: Record<HealState, string> = {
  IDLE: '$(circle-outline)',
  DEPLOYING: '$(sync~spin)',
  RUNNING: '$(pass-filled)',
  CRASHED: '$(error)',
  FIXING: '$(wand)',
  VERIFYING: '$(beaker)',
  REVIEW: '$(diff)',
  APPLYING: '$(sync~spin)',
  HEALED: '$(heart)',
  FAILED: '$(close)',
};

export class HealStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(StatusBarId, vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'AutoDev';
    this.item.command = Commands.openMissionControl;
    this.set('IDLE');
  }

  handle(e: HealEvent): void {
    if (e.kind === 'state') this.set(e.state, e.reason);
  }

  private paused = false;
  private state: HealState = 'IDLE';
  private reason: string | undefined;

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.set(this.state, this.reason);
  }

  set(state: HealState, reason?: string): void {
    this.state = state;
    this.reason = reason;
    this.item.text = `${ICONS[state]} AutoDev: ${state}${this.paused ? ' (auto-heal paused)' : ''}`;
    this.item.tooltip = reason ? `AutoDev: ${state} — ${reason}\nClick to open Mission Control` : `AutoDev: ${state}\nClick to open Mission Control`;
    this.item.backgroundColor = state === 'CRASHED' || state === 'FAILED' ? new vscode.ThemeColor('statusBarItem.errorBackground') : state === 'REVIEW' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
    void vscode.commands.executeCommand(BuiltinCommands.setContext, ContextKeys.state, state);
  }

  dispose(): void {
    this.item.dispose();
  }
}
