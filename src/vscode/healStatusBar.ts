/**
 * Status bar item and the `autodev.state` context key: the loop's state at a glance, and the engine when it is not
 * this machine's Docker (the full engine in the tooltip); click opens Mission Control.
 */
import * as vscode from 'vscode';
import { BuiltinCommands, Commands, ContextKeys, StatusBarId } from '../constants';
import type { HealEvent, HealState } from '../core/heal/healEvents';
import type { EngineInfo } from '../core/runtime/containerRuntime';

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
    if (e.kind === 'engine') {
      this.engine = e.engine;
      this.set(this.state, this.reason);
    }
  }

  private engine: EngineInfo | undefined;

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
    const where = this.engine?.remote ? ` $(${this.engine.kind === 'kubernetes' ? 'cloud' : 'remote'}) ${this.engine.kind === 'kubernetes' ? 'k8s' : 'remote'}` : '';
    this.item.text = `${ICONS[state]} AutoDev: ${state}${where}${this.paused ? ' (auto-heal paused)' : ''}`;
    const engine = this.engine ? `\nEngine: ${this.engine.label}` : '';
    this.item.tooltip = `AutoDev: ${state}${reason ? ` — ${reason}` : ''}${engine}\nClick to open Mission Control`;
    this.item.backgroundColor = state === 'CRASHED' || state === 'FAILED' ? new vscode.ThemeColor('statusBarItem.errorBackground') : state === 'REVIEW' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
    void vscode.commands.executeCommand(BuiltinCommands.setContext, ContextKeys.state, state);
  }

  dispose(): void {
    this.item.dispose();
  }
}
