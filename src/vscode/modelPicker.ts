/** `AutoDev: Select Model…` and the preset pick of `Set API Key`: writes the user's (global) model settings. */
import * as vscode from 'vscode';
import { PRESETS, getPreset } from '../core/agent/presets';
import type { JsonFileCapabilityCache } from '../core/agent/capabilityCache';
import type { AutodevLog } from './autodevLog';

/** Presets that take an API key (Ollama needs none; custom endpoints may). */
export const KEY_PRESETS = ['openrouter', 'gemini', 'openai', 'custom'] as const;

const PRESET_LABELS: Record<string, { label: string; detail: string }> = {
  ...Object.fromEntries(Object.values(PRESETS).map((p) => [p.name, {
    label: p.label,
    detail: `${p.baseUrl} · default model ${p.model}${p.needsKey ? ` · key: SecretStorage, else ${p.keyEnv ?? 'AUTODEV_API_KEY'}` : ' · no key'}`,
  }])),
  custom: { label: 'Custom endpoint…', detail: 'Any OpenAI-compatible base URL (vLLM, LM Studio, a proxy) · key: SecretStorage, else AUTODEV_API_KEY' },
};

interface ProviderPick extends vscode.QuickPickItem {
  provider: 'builtin' | 'openai' | 'vscode-lm';
  preset?: string;
}

export async function pickPresetForKey(current: string): Promise<string | undefined> {
  const items = KEY_PRESETS.map((p) => ({ label: PRESET_LABELS[p].label, description: p === current ? 'current preset' : undefined, detail: PRESET_LABELS[p].detail, preset: p }));
  const pick = await vscode.window.showQuickPick(items, { title: 'AutoDev: Set API Key', placeHolder: 'Which provider is the key for?' });
  return pick?.preset;
}

/** Walks the user through provider → preset → model and saves it to the user settings. */
export async function pickModel(log: AutodevLog, capabilities?: JsonFileCapabilityCache): Promise<void> {
  const config = vscode.workspace.getConfiguration('autodev');
  const currentProvider = config.get<string>('model.provider');
  const currentPreset = config.get<string>('model.preset');
  const items: ProviderPick[] = [
    { label: '$(tools) Built-in fixer', detail: 'Rule-based, no key, nothing leaves the machine', provider: 'builtin' },
    ...Object.entries(PRESET_LABELS).map(([preset, v]) => ({ label: `$(cloud) ${v.label}`, detail: v.detail, provider: 'openai' as const, preset })),
    { label: '$(copilot) VS Code language model…', detail: 'A chat model another extension provides (vscode.lm)', provider: 'vscode-lm' },
  ];
  for (const item of items) if (item.provider === currentProvider && (item.provider !== 'openai' || item.preset === currentPreset)) item.description = 'current';
  const pick = await vscode.window.showQuickPick(items, { title: 'AutoDev: Select Model', placeHolder: 'Who should diagnose and patch crashes?' });
  if (!pick) throw new vscode.CancellationError();
  const target = vscode.ConfigurationTarget.Global;
  let model: string | undefined;
  if (pick.provider === 'vscode-lm') {
    const models = await vscode.lm.selectChatModels();
    if (models.length === 0) throw new Error('No VS Code language model is available: install and sign in to a chat model extension first.');
    const m = await vscode.window.showQuickPick(models.map((c) => ({ label: c.name, description: c.vendor, detail: `${c.id} · ${c.maxInputTokens} input tokens`, id: c.id })), { title: 'AutoDev: VS Code language model' });
    if (!m) throw new vscode.CancellationError();
    model = m.id;
  } else if (pick.provider === 'openai') {
    if (pick.preset === 'custom') {
      const baseUrl = await vscode.window.showInputBox({
        title: 'AutoDev: custom endpoint', prompt: 'Base URL of an OpenAI-compatible API', value: config.get<string>('model.baseUrl') || 'http://127.0.0.1:8000/v1', ignoreFocusOut: true,
        validateInput: (v) => (/^https?:\/\/\S+$/.test(v.trim()) ? undefined : 'Enter an http(s) URL, e.g. http://127.0.0.1:8000/v1'),
      });
      if (!baseUrl) throw new vscode.CancellationError();
      await config.update('model.baseUrl', baseUrl.trim(), target);
    } else {
      // A preset brings its own base URL: clear a stale override so it does not silently win.
      await config.update('model.baseUrl', undefined, target);
    }
    model = await vscode.window.showInputBox({ title: 'AutoDev: model name', prompt: 'Model name (empty: the preset\'s default)', value: config.get<string>('model.model') ?? '', ignoreFocusOut: true });
    if (model === undefined) throw new vscode.CancellationError();
    await config.update('model.preset', pick.preset, target);
  }
  await config.update('model.provider', pick.provider, target);
  if (pick.provider !== 'builtin') await config.update('model.model', model?.trim() || undefined, target);
  log.info('model', `selected ${pick.provider}${pick.preset ? `/${pick.preset}` : ''}${model ? ` model ${model}` : ''}`);
  // What the tool-calling probe found for this (base URL, model) before, if anything (it runs on first use).
  let probe = '';
  if (pick.provider === 'openai' && capabilities) {
    const baseUrl = (config.get<string>('model.baseUrl') || getPreset(pick.preset)?.baseUrl || '').replace(/\/+$/, '');
    const name = model?.trim() || getPreset(pick.preset)?.model || '';
    const found = capabilities.entries().find((e) => e.key === `${baseUrl}|${name}`);
    probe = found
      ? ` Tool calling (probed ${found.at.slice(0, 10)}): ${found.capability === 'tools' ? 'yes' : found.capability === 'text-json' ? 'as JSON text (parsed by AutoDev)' : 'no — the built-in fixer is used instead'}.`
      : ' Tool calling is checked with one tiny request on first use.';
  }
  void vscode.window.showInformationMessage(`AutoDev will use ${pick.label.replace(/\$\([^)]+\)\s*/, '')}${model ? ` (${model})` : ''}.${probe}`);
}
