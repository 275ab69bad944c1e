/** Who fixes: Set API Key, Select Model…. */
import * as vscode from 'vscode';
import type { Container } from '../../container';
import { Commands } from '../../constants';
import { endpointOrigin, presetOrigin } from '../../core/privacy/keyBinding';
import { readSettings } from '../extensionSettings';
import { pickModel, pickPresetForKey } from '../modelPicker';
import type { CommandTable } from './commandTable';

export function modelCommands(c: Container): CommandTable {
  return {
    [Commands.setApiKey]: () => setApiKey(c),
    [Commands.selectModel]: () => pickModel(c.log, c.capabilities),
  };
}

async function setApiKey(c: Container): Promise<void> {
  const preset = await pickPresetForKey(readSettings().model.preset);
  if (!preset) throw new vscode.CancellationError();
  const value = await vscode.window.showInputBox({
    title: `AutoDev: API key for ${preset}`, prompt: 'Stored in VS Code SecretStorage (never in settings or logs). Leave empty to remove the stored key.',
    password: true, ignoreFocusOut: true,
  });
  if (value === undefined) throw new vscode.CancellationError();
  if (!value.trim()) {
    await c.keys.delete(preset);
    void vscode.window.showInformationMessage(`AutoDev: removed the stored key for ${preset}.`);
    return;
  }
  // Bound to the endpoint it is entered for: the preset's own, or (custom) the user's — not a workspace's — base URL.
  const userBaseUrl = vscode.workspace.getConfiguration('autodev').inspect<string>('model.baseUrl')?.globalValue;
  await c.keys.set(preset, value.trim(), presetOrigin(preset) ?? endpointOrigin(userBaseUrl));
  c.log.addSecret(value.trim());
  c.log.info('model', `stored an API key for ${preset}`);
  void vscode.window.showInformationMessage(`AutoDev: key for ${preset} stored in SecretStorage.`);
}
