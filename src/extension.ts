/** Composition root: builds the one object that owns every service (src/container.ts) and registers it. */
import type * as vscode from 'vscode';
import { Container } from './container';
import type { AutodevApi } from './vscode/autodevApi';

// The only module-level state: deactivate() must await the container removal, and VS Code does not await the
// (async) dispose of context.subscriptions — only the promise deactivate() returns.
let container: Container | undefined;

export function activate(context: vscode.ExtensionContext): AutodevApi {
  container = new Container(context);
  context.subscriptions.push(container);
  return container.api();
}

export async function deactivate(): Promise<void> {
  const c = container;
  container = undefined;
  await c?.dispose();
}
