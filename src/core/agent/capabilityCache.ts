/** What a model can do with tools, per (base URL, model), remembered so each model is probed once (in memory or a JSON file). */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LlmProvider } from './llmProvider';

export type ToolCapability = 'tools' | 'text-json' | 'none';

/** Where probe results are kept (settings show them). */
export interface ToolCapabilityCache {
  get(key: string): ToolCapability | undefined;
  set(key: string, value: ToolCapability): void;
}

export function capabilityKey(provider: Pick<LlmProvider, 'baseUrl' | 'model' | 'id'>): string {
  return `${(provider.baseUrl ?? provider.id).replace(/\/+$/, '')}|${provider.model}`;
}

export class MemoryCapabilityCache implements ToolCapabilityCache {
  private readonly map = new Map<string, ToolCapability>();
  get(key: string) {
    return this.map.get(key);
  }
  set(key: string, value: ToolCapability) {
    this.map.set(key, value);
  }
}

/** A JSON file `{ "<baseUrl>|<model>": { "capability": "tools", "at": "..." } }`, written atomically. */
export class JsonFileCapabilityCache implements ToolCapabilityCache {
  constructor(private readonly file: string) {}
  private read(): Record<string, { capability: ToolCapability; at: string }> {
    try {
      const v = JSON.parse(readFileSync(this.file, 'utf8'));
      return v && typeof v === 'object' ? v : {};
    } catch {
      return {};
    }
  }
  get(key: string): ToolCapability | undefined {
    const c = this.read()[key]?.capability;
    return c === 'tools' || c === 'text-json' || c === 'none' ? c : undefined;
  }
  set(key: string, value: ToolCapability): void {
    const all = this.read();
    all[key] = { capability: value, at: new Date().toISOString() };
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(all, null, 2));
    renameSync(tmp, this.file);
  }
  /** Everything cached, for the settings view. */
  entries(): { key: string; capability: ToolCapability; at: string }[] {
    return Object.entries(this.read()).map(([key, v]) => ({ key, ...v }));
  }
}
