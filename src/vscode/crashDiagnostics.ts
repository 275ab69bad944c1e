/** Crashes in the Problems panel: one Diagnostic at the user frame, the other frames as related information. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CrashReport } from '../core/crash/crashReport';
import type { HealEvent } from '../core/heal/healEvents';

/** Builds the diagnostics of one crash, keyed by file; nothing when no frame maps into the workspace. */
export function crashDiagnostic(crash: CrashReport, workspaceDir: string, occurrences = 1): { uri: vscode.Uri; diagnostic: vscode.Diagnostic } | null {
  const frame = crash.userFrame;
  if (!frame?.workspaceFile) return null;
  const uri = vscode.Uri.file(path.join(workspaceDir, frame.workspaceFile));
  const line = Math.max(0, (frame.line ?? 1) - 1);
  const times = occurrences > 1 ? ` (×${occurrences})` : '';
  const diagnostic = new vscode.Diagnostic(
    new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER),
    `${crash.type}: ${crash.message}${times}`.slice(0, 2000),
    vscode.DiagnosticSeverity.Error,
  );
  diagnostic.source = 'AutoDev';
  diagnostic.code = crash.type;
  diagnostic.relatedInformation = crash.frames
    .filter((f) => f.workspaceFile && !(f.workspaceFile === frame.workspaceFile && f.line === frame.line))
    .slice(0, 20)
    .map((f) => new vscode.DiagnosticRelatedInformation(
      new vscode.Location(vscode.Uri.file(path.join(workspaceDir, f.workspaceFile!)), new vscode.Position(Math.max(0, (f.line ?? 1) - 1), 0)),
      `${f.function ?? '<module>'} (${f.workspaceFile}:${f.line ?? '?'})`,
    ));
  return { uri, diagnostic };
}

export class CrashDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('autodev');
  /** signature → where its diagnostic is, so a heal clears exactly that crash. */
  private readonly bySignature = new Map<string, { uri: vscode.Uri; diagnostic: vscode.Diagnostic }>();
  private lastSignature: string | null = null;

  private workspaceDir = '';

  /** A new deploy: diagnostics now map into `dir`; the previous workspace's crashes are gone with its container. */
  setWorkspace(dir: string): void {
    this.workspaceDir = dir;
    this.clearAll();
  }

  handle(e: HealEvent): void {
    switch (e.kind) {
      case 'crash': {
        const d = crashDiagnostic(e.crash, this.workspaceDir, e.occurrences);
        this.lastSignature = e.crash.signature;
        if (!d) return;
        this.bySignature.set(e.crash.signature, d);
        this.render();
        return;
      }
      case 'fix':
        if (['applied', 'committed', 'pushed'].includes(e.fix.status)) this.clear(e.fix.signature);
        return;
      case 'done':
        if (e.healed) this.clear(e.fix?.signature ?? this.lastSignature);
        return;
      case 'state':
        if (e.state === 'HEALED') this.clear(this.lastSignature);
        else if (e.trigger === 'deployRequested') this.clearAll();
        return;
    }
  }

  private clear(signature: string | null): void {
    if (signature && this.bySignature.delete(signature)) this.render();
  }

  clearAll(): void {
    this.bySignature.clear();
    this.collection.clear();
  }

  private render(): void {
    const byFile = new Map<string, { uri: vscode.Uri; list: vscode.Diagnostic[] }>();
    for (const { uri, diagnostic } of this.bySignature.values()) {
      const entry = byFile.get(uri.toString()) ?? { uri, list: [] };
      entry.list.push(diagnostic);
      byFile.set(uri.toString(), entry);
    }
    this.collection.clear();
    for (const { uri, list } of byFile.values()) this.collection.set(uri, list);
  }

  dispose(): void {
    this.collection.dispose();
  }
}
