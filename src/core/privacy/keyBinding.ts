/**
 * Keys stay with their endpoint: a stored API key is bound to the origins (scheme://host:port) it was entered or
 * confirmed for. A base URL elsewhere — e.g. set by a workspace's settings — gets the key only after the user
 * confirms, or uses its own key. Pure logic; the editor's SecretStorage and the CLI's env vars are the adapters.
 */
import { getPreset } from '../agent/presets';

/** One key and the origins it may be sent to. */
export interface BoundKey {
  key: string;
  origins: string[];
}

/** What a preset's secret holds: one or more keys, each bound to its origins. */
export interface StoredKeys {
  v: 1;
  entries: BoundKey[];
}

/** `https://openrouter.ai` for `https://openrouter.ai/api/v1`; null for text that is not an http(s) URL. */
export function endpointOrigin(baseUrl: string | undefined): string | null {
  if (!baseUrl) return null;
  try {
    const u = new URL(baseUrl);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin.toLowerCase() : null;
  } catch {
    return null;
  }
}

/** The origin a preset's key belongs to by default (its vendor's endpoint); null for custom endpoints. */
export function presetOrigin(preset: string | undefined): string | null {
  return endpointOrigin(getPreset(preset)?.baseUrl);
}

/**
 * Reads a preset's stored secret. A plain string (stored before keys were bound) is bound to the preset's own
 * origin, or to nothing for a custom endpoint (the first use asks).
 */
export function parseStoredKeys(raw: string | undefined, preset: string): StoredKeys | undefined {
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as Partial<StoredKeys>;
    if (parsed && parsed.v === 1 && Array.isArray(parsed.entries)) {
      const entries = parsed.entries.filter((e): e is BoundKey => !!e && typeof e.key === 'string' && e.key !== '' && Array.isArray(e.origins)).map((e) => ({ key: e.key, origins: e.origins.filter((o) => typeof o === 'string') }));
      return entries.length ? { v: 1, entries } : undefined;
    }
  } catch {
    // a legacy plain key
  }
  const origin = presetOrigin(preset);
  return { v: 1, entries: [{ key: raw, origins: origin ? [origin] : [] }] };
}

export function serializeStoredKeys(keys: StoredKeys): string {
  return JSON.stringify(keys);
}

/** A new key entered for `origin` (null: not yet bound), placed first; an older entry with the same key merges. */
export function withKey(keys: StoredKeys | undefined, key: string, origin: string | null): StoredKeys {
  const others = (keys?.entries ?? []).filter((e) => e.key !== key).map((e) => ({ key: e.key, origins: e.origins.filter((o) => o !== origin) }));
  const same = keys?.entries.find((e) => e.key === key);
  const origins = [...new Set([...(origin ? [origin] : []), ...(same?.origins ?? [])])];
  // An older key left with no origin could never be used without asking again: it goes.
  return { v: 1, entries: [{ key, origins }, ...others.filter((e) => e.origins.length)] };
}

/** `keys` with `key` also allowed for `origin` (the user confirmed sending it there). */
export function allowOrigin(keys: StoredKeys, key: string, origin: string): StoredKeys {
  return { v: 1, entries: keys.entries.map((e) => (e.key === key && !e.origins.includes(origin) ? { key: e.key, origins: [...e.origins, origin] } : e)) };
}

export type KeyDecision =
  /** A key bound to this origin. */
  | { kind: 'use'; key: string }
  /** No key is stored. */
  | { kind: 'none' }
  /** Keys exist, none bound to this origin: sending one needs the user's confirmation (or a key of its own). */
  | { kind: 'confirm'; key: string; origin: string; boundTo: string[] };

/** Which key (if any) may go to `baseUrl`. An unparsable base URL never gets a key. */
export function keyForEndpoint(keys: StoredKeys | undefined, baseUrl: string | undefined): KeyDecision {
  if (!keys || !keys.entries.length) return { kind: 'none' };
  const origin = endpointOrigin(baseUrl);
  if (!origin) return { kind: 'none' };
  const bound = keys.entries.find((e) => e.origins.includes(origin));
  if (bound) return { kind: 'use', key: bound.key };
  const first = keys.entries[0];
  return { kind: 'confirm', key: first.key, origin, boundTo: first.origins };
}
