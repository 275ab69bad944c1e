/**
 * API keys in SecretStorage (per provider preset), each bound to the endpoint origins it was entered or confirmed
 * for (core/privacy/keyBinding); env vars are the fallback. Never settings, logs or webview.
 */
import type * as vscode from 'vscode';
import { allowOrigin, parseStoredKeys, serializeStoredKeys, withKey, type StoredKeys } from '../core/privacy/keyBinding';

const keyName = (preset: string) => `autodev.apiKey.${preset}`;

export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** The preset's keys with their origins (a key stored before binding is bound to the preset's own origin). */
  async keys(preset: string): Promise<StoredKeys | undefined> {
    return parseStoredKeys(await this.secrets.get(keyName(preset)), preset);
  }

  /** Stores `value` for `preset`, bound to `origin` (null: asked on first use). */
  async set(preset: string, value: string, origin: string | null): Promise<void> {
    await this.secrets.store(keyName(preset), serializeStoredKeys(withKey(await this.keys(preset), value, origin)));
  }

  /** Records that the user confirmed sending `key` to `origin`. */
  async allow(preset: string, key: string, origin: string): Promise<void> {
    const keys = await this.keys(preset);
    if (keys) await this.secrets.store(keyName(preset), serializeStoredKeys(allowOrigin(keys, key, origin)));
  }

  async delete(preset: string): Promise<void> {
    await this.secrets.delete(keyName(preset));
  }

  /** Every stored key, so the heal loop can mask them wherever they might appear. */
  async all(presets: readonly string[]): Promise<string[]> {
    const stored = await Promise.all(presets.map((p) => this.keys(p)));
    return stored.flatMap((k) => k?.entries.map((e) => e.key) ?? []);
  }
}
