/** Activation and contributions, checked inside a real VS Code extension host. */
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { EXTENSION_ID, activateAutodev, until } from './suiteSupport';

describe('AutoDev extension', () => {
  it('is not activated at startup (no `*` activation event)', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const events: string[] = ext.packageJSON.activationEvents ?? [];
    assert.ok(!events.includes('*') && !events.includes('onStartupFinished'), `activationEvents: ${events.join(', ')}`);
  });

  it('activates and returns its API', async () => {
    const api = await activateAutodev();
    assert.strictEqual(vscode.extensions.getExtension(EXTENSION_ID)!.isActive, true);
    assert.strictEqual(api.state, 'IDLE');
  });

  it('registers every command it contributes, in the AutoDev category', async () => {
    await activateAutodev();
    const contributed: { command: string; category?: string }[] = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands;
    assert.ok(contributed.length >= 17, `only ${contributed.length} commands contributed`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c.command)).map((c) => c.command);
    assert.deepStrictEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
    assert.deepStrictEqual(contributed.filter((c) => c.category !== 'AutoDev').map((c) => c.command), []);
  });

  it('declares limited support for untrusted workspaces and restricts runtime and model settings', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    const untrusted = pkg.capabilities.untrustedWorkspaces;
    assert.strictEqual(untrusted.supported, 'limited');
    for (const key of ['autodev.runtime.pythonImage', 'autodev.runtime.dockerHost', 'autodev.model.baseUrl', 'autodev.model.provider', 'autodev.verify.command', 'autodev.verify.healthUrl']) {
      assert.ok(untrusted.restrictedConfigurations.includes(key), `${key} is not a restricted configuration`);
    }
  });

  it('contributes the Fixes view and it opens', async () => {
    await activateAutodev();
    await vscode.commands.executeCommand('autodev.views.fixes.focus');
  });

  it('opens Mission Control as a webview panel', async () => {
    await activateAutodev();
    await vscode.commands.executeCommand('autodev.openMissionControl');
    // Tabs reach the extension host asynchronously.
    const tab = await until('the Mission Control tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'AutoDev Mission Control'), 15_000);
    assert.match((tab.input as vscode.TabInputWebview).viewType, /autodev\.missionControl$/);
  });

  it('keeps API keys out of settings: no contributed setting holds a key', () => {
    const config = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.configuration as { properties: Record<string, unknown> }[];
    const keys = config.flatMap((c) => Object.keys(c.properties));
    assert.deepStrictEqual(keys.filter((k) => /key|token|secret|password/i.test(k)), []);
  });
});
