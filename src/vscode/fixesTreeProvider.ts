/** The Fixes sidebar: every fix of this window with its status; context actions show diff, revert, push. */
import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { FixRecord, HealEvent } from '../core/heal/healEvents';

const STATUS_ICON: Record<FixRecord['status'], [string, string?]> = {
  proposed: ['lightbulb', 'charts.yellow'],
  applied: ['check', 'charts.blue'],
  committed: ['git-commit', 'charts.green'],
  pushed: ['cloud-upload', 'charts.green'],
  failed: ['error', 'charts.red'],
  rejected: ['circle-slash'],
  reverted: ['discard'],
  unverified: ['question', 'charts.yellow'],
};

export function fixLabel(fix: FixRecord): string {
  return `${fix.crashType}${fix.file ? ` in ${fix.file}${fix.line ? `:${fix.line}` : ''}` : ''}`;
}

export class FixesTreeProvider implements vscode.TreeDataProvider<FixRecord>, vscode.Disposable {
  private readonly fixes = new Map<string, FixRecord>();
  private readonly changed = new vscode.EventEmitter<FixRecord | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  handle(e: HealEvent): void {
    if (e.kind === 'fix') this.upsert(e.fix);
    else if (e.kind === 'done' && e.fix) this.upsert(e.fix);
  }

  upsert(fix: FixRecord): void {
    this.fixes.set(fix.id, { ...this.fixes.get(fix.id), ...fix });
    this.changed.fire(undefined);
  }

  get(id: string): FixRecord | undefined {
    return this.fixes.get(id);
  }

  /** Newest first. */
  list(): FixRecord[] {
    return [...this.fixes.values()].sort((a, b) => b.crashedAt - a.crashedAt);
  }

  getChildren(element?: FixRecord): FixRecord[] {
    return element ? [] : this.list();
  }

  getTreeItem(fix: FixRecord): vscode.TreeItem {
    const item = new vscode.TreeItem(fixLabel(fix), vscode.TreeItemCollapsibleState.None);
    item.id = fix.id;
    const mttr = fix.mttrMs !== undefined ? ` · MTTR ${(fix.mttrMs / 1000).toFixed(1)} s` : '';
    item.description = `${fix.status}${fix.commit ? ` · ${fix.commit.slice(0, 7)}` : ''}${mttr}`;
    const [icon, color] = STATUS_ICON[fix.status] ?? ['circle-outline'];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.contextValue = `fix.${fix.status}`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**${fixLabel(fix)}** — ${fix.status}\n\n`);
    tip.appendText(fix.summary || '');
    tip.appendMarkdown(`\n\nModel: \`${fix.provider}/${fix.model}\` · attempts: ${fix.attempts}${fix.commit ? ` · commit \`${fix.commit.slice(0, 10)}\`` : ''}`);
    if (fix.reason) tip.appendText(`\n${fix.reason}`);
    item.tooltip = tip;
    item.command = { command: Commands.showFixDiff, title: 'Show Diff', arguments: [fix] };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
