/**
 * Builds the model for an incident from the settings: the built-in fixer, an OpenAI-compatible endpoint (with the key
 * bound to its origin), or a VS Code language model; wrapped to ask before sending when the user wants that.
 */
import * as vscode from 'vscode';
import type { LlmProvider } from '../core/agent/llmProvider';
import { apiKeyFromEnv, getPreset } from '../core/agent/presets';
import { keyForEndpoint } from '../core/privacy/keyBinding';
import type { ApiKeyStore } from './apiKeyStore';
import type { AutodevLog } from './autodevLog';
import { ConfirmingProvider } from './confirmingProvider';
import { readSettings } from './extensionSettings';
import { VscodeLmProvider, selectLmChatModel } from './vscodeLmProvider';
import { assertTrusted } from './workspaceTrust';

export class ProviderFactory {
  constructor(private readonly keys: ApiKeyStore, private readonly log: AutodevLog) {}

  async create(scope: vscode.Uri | undefined): Promise<LlmProvider> {
    assertTrusted(vscode.workspace.isTrusted, 'fix');
    const s = readSettings(scope);
    // The providers (openai) load when a fix first needs a model, not at activation.
    const { createProvider } = await import('../core/agent/providers');
    let provider: LlmProvider;
    if (s.model.provider === 'vscode-lm') {
      provider = new VscodeLmProvider(await selectLmChatModel(s.model.model));
    } else if (s.model.provider === 'openai') {
      const apiKey = await this.keyFor(s.model.preset, s.model.baseUrl ?? getPreset(s.model.preset)?.baseUrl);
      this.log.addSecret(apiKey);
      provider = createProvider({ kind: 'openai', preset: s.model.preset, baseUrl: s.model.baseUrl, model: s.model.model, apiKey, timeoutMs: s.fix.timeoutMs }, { stream: s.model.stream });
    } else {
      provider = createProvider({ kind: 'builtin' });
    }
    this.log.info('model', `using ${provider.id}/${provider.model}`);
    return s.confirmBeforeSend && provider.id !== 'builtin' ? new ConfirmingProvider(provider) : provider;
  }

  /**
   * The key that may go to `baseUrl`: a stored key bound to its origin, or — after the user confirms, since a
   * workspace's settings can move the base URL — one entered for another origin; a new key can be entered for it
   * instead. Without a stored key: the env var, a vendor's only for that vendor's origin (AUTODEV_API_KEY is the
   * generic one, as in the CLI).
   */
  private async keyFor(preset: string, baseUrl: string | undefined): Promise<string | undefined> {
    const keys = await this.keys.keys(preset);
    if (!keys) return apiKeyFromEnv(process.env, preset, baseUrl);
    const decision = keyForEndpoint(keys, baseUrl);
    if (decision.kind === 'use') return decision.key;
    if (decision.kind === 'none') return undefined;
    const send = `Send It to ${decision.origin}`;
    const other = 'Enter a Key for This Endpoint';
    const pick = await vscode.window.showWarningMessage(
      `AutoDev: your ${preset} API key was entered for ${decision.boundTo.join(', ') || 'another endpoint'}, but the model base URL now points at ${decision.origin}.`,
      { modal: true, detail: `autodev.model.baseUrl decides where the key goes, and a workspace's settings can change it. Send the key only to an endpoint you trust.` },
      send,
      other,
    );
    if (pick === send) {
      await this.keys.allow(preset, decision.key, decision.origin);
      this.log.info('model', `the ${preset} key may now go to ${decision.origin} (confirmed)`);
      return decision.key;
    }
    if (pick === other) {
      const value = (await vscode.window.showInputBox({ title: `AutoDev: API key for ${decision.origin}`, prompt: 'Stored in VS Code SecretStorage, bound to this endpoint.', password: true, ignoreFocusOut: true }))?.trim();
      if (!value) throw new vscode.CancellationError();
      await this.keys.set(preset, value, decision.origin);
      this.log.addSecret(value);
      return value;
    }
    this.log.info('model', `not sending the ${preset} key to ${decision.origin}: not confirmed`);
    throw new vscode.CancellationError();
  }
}
