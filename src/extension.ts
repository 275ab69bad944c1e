/** Composition root: builds the one object that owns every service (src/vscode/autodevServices.ts) and registers it. */
import type * as vscode from 'vscode';
import { AutodevServices } from './vscode/autodevServices';
import type { AutodevApi } from './vscode/autodevApi';

// The only module-level state: deactivate() must await the container removal, and VS Code does not await the
// (async) dispose of context.subscriptions — only the promise deactivate() returns.
let services: AutodevServices | undefined;

export function activate(context: vscode.ExtensionContext): AutodevApi {
  services = new AutodevServices(context);
  context.subscriptions.push(services);
  return services.api();
}

export async function deactivate(): Promise<void> {
  const s = services;
  services = undefined;
  await s?.dispose();
}
