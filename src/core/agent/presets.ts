/** Known OpenAI-compatible endpoints: base URL, default model and the env var that holds the key. */

export interface ProviderPreset {
  name: 'openrouter' | 'gemini' | 'openai' | 'ollama';
  label: string;
  baseUrl: string;
  model: string;
  /** Env var checked first for this preset's key (AUTODEV_API_KEY is the generic fallback). */
  keyEnv?: string;
  /** Local servers need no key. */
  needsKey: boolean;
  /** Extra headers the service asks clients to send. */
  headers?: Record<string, string>;
}

export const PRESETS: Record<ProviderPreset['name'], ProviderPreset> = {
  openrouter: {
    name: 'openrouter',
    label: 'OpenRouter',
    baseUrl: 'https://openrouter.ai/api/v1',
    model: 'meta-llama/llama-3.3-70b-instruct',
    keyEnv: 'OPENROUTER_API_KEY',
    needsKey: true,
    // OpenRouter's app attribution headers (optional, harmless).
    headers: { 'HTTP-Referer': 'https://github.com/autodev/autodev', 'X-Title': 'AutoDev' },
  },
  gemini: {
    name: 'gemini',
    label: 'Google Gemini',
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai/',
    model: 'gemini-2.5-flash',
    keyEnv: 'GOOGLE_API_KEY',
    needsKey: true,
  },
  openai: { name: 'openai', label: 'OpenAI', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', keyEnv: 'OPENAI_API_KEY', needsKey: true },
  ollama: { name: 'ollama', label: 'Ollama (local)', baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.1', needsKey: false },
};

export function getPreset(name: string | undefined): ProviderPreset | undefined {
  return name && Object.prototype.hasOwnProperty.call(PRESETS, name) ? PRESETS[name as ProviderPreset['name']] : undefined;
}

/** The preset whose base URL matches `baseUrl` (so a bare --base-url still finds the right key and headers). */
export function presetForBaseUrl(baseUrl: string | undefined): ProviderPreset | undefined {
  if (!baseUrl) return undefined;
  const norm = (u: string) => u.replace(/\/+$/, '').toLowerCase();
  return Object.values(PRESETS).find((p) => norm(p.baseUrl) === norm(baseUrl));
}

/**
 * The API key from the environment. With a preset: its own variable, then AUTODEV_API_KEY (never another vendor's
 * key: that would send an OpenAI key to OpenRouter). With 'custom' or an unknown preset: AUTODEV_API_KEY only.
 * With none: the first of AUTODEV_API_KEY, OPENROUTER_API_KEY, GOOGLE_API_KEY, OPENAI_API_KEY. With `baseUrl` on another
 * origin than the preset's: AUTODEV_API_KEY only.
 */
export function apiKeyFromEnv(env: Record<string, string | undefined>, preset?: string, baseUrl?: string): string | undefined {
  // A vendor's key goes to that vendor's origin only: `--preset openrouter --base-url http://elsewhere` (or a
  // setting that redirects the preset) gets the generic AUTODEV_API_KEY, never OPENROUTER_API_KEY.
  const p = getPreset(preset);
  const goesTo = (q: ProviderPreset) => !baseUrl || sameOrigin(baseUrl, q.baseUrl);
  const order =
    preset === undefined
      ? ['AUTODEV_API_KEY', ...KEYED.filter(goesTo).map((k) => k.keyEnv!)]
      : p && goesTo(p)
        ? [...(p.keyEnv ? [p.keyEnv] : []), 'AUTODEV_API_KEY']
        : ['AUTODEV_API_KEY'];
  for (const name of order) {
    const v = env[name]?.trim();
    if (v) return v;
  }
  return undefined;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin.toLowerCase() === new URL(b).origin.toLowerCase();
  } catch {
    return false;
  }
}

const KEYED = [PRESETS.openrouter, PRESETS.gemini, PRESETS.openai];

/** The preset implied by which vendor key is set (OpenRouter, then Gemini, then OpenAI); undefined when none is. */
export function presetFromEnv(env: Record<string, string | undefined>): ProviderPreset | undefined {
  return KEYED.find((p) => env[p.keyEnv!]?.trim());
}
