/** Composition root: builds the one object that owns every service (see src/vscode/autodevContainer.ts). */
import type * as vscode from 'vscode';

export async function activate(_context: vscode.ExtensionContext): Promise<void> {
  // wired by the VS Code adapter issue
}

export function deactivate(): void {}
