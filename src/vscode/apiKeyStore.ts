/** API keys in SecretStorage (one per provider preset); env vars are the fallback. Never settings, logs or webview. */
import type * as vscode from 'vscode';

const keyName = (preset: string) => `autodev.apiKey.${preset}`;

export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(preset: string): Thenable<string | undefined> {
    return this.secrets.get(keyName(preset));
  }

  async set(preset: string, value: string): Promise<void> {
    await this.secrets.store(keyName(preset), value);
  }

  async delete(preset: string): Promise<void> {
    await this.secrets.delete(keyName(preset));
  }

  /** Every stored key, so the heal loop can mask them wherever they might appear. */
  async all(presets: readonly string[]): Promise<string[]> {
    const values = await Promise.all(presets.map((p) => this.get(p)));
    return values.filter((v): v is string => Boolean(v));
  }
}
