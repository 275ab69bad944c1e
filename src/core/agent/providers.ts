/** Builds the LlmProvider for a ProviderConfig: the built-in fixer or an OpenAI-compatible endpoint (with presets). */
import { AutoDevError } from '../errors';
import { BuiltinFixer } from './builtinFixer';
import type { LlmProvider, ProviderConfig } from './llmProvider';
import { OpenAiCompatibleProvider } from './openaiProvider';
import type { OpenAiProviderOptions } from './openaiProvider';
import { getPreset, presetForBaseUrl } from './presets';
import { isLocalEndpoint } from './budget';

export { apiKeyFromEnv } from './presets';

/** Options beyond ProviderConfig that only some callers set (tests, settings such as streaming). */
export type ProviderExtras = Partial<Pick<OpenAiProviderOptions, 'stream' | 'pricing' | 'maxRetries' | 'onRetry' | 'sleep' | 'streamUsage' | 'maxRetryAfterMs'>>;

/**
 * 'builtin' → the built-in fixer; 'openai' → an OpenAI-compatible client. The preset fills base URL, model and
 * headers; explicit values win. Throws AutoDevError('Usage') when a remote endpoint has no key or no model.
 */
export function createProvider(config: ProviderConfig, extras: ProviderExtras = {}): LlmProvider {
  if (config.kind === 'builtin') return new BuiltinFixer();
  if (config.kind !== 'openai') throw new AutoDevError('Usage', `unknown provider "${String((config as { kind: unknown }).kind)}"; use builtin or openai`);
  const preset = getPreset(config.preset) ?? presetForBaseUrl(config.baseUrl);
  const baseUrl = config.baseUrl || preset?.baseUrl;
  if (!baseUrl) throw new AutoDevError('Usage', 'no base URL for the model: pick a preset (openrouter, gemini, openai, ollama) or set a base URL');
  try {
    const u = new URL(baseUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new AutoDevError('Usage', `the base URL "${baseUrl}" is not an http(s) URL`);
  }
  const model = config.model || preset?.model;
  if (!model) throw new AutoDevError('Usage', `no model set for ${baseUrl}: set one (e.g. --model)`);
  const local = isLocalEndpoint(baseUrl);
  if (!config.apiKey && !local && (preset?.needsKey ?? true)) {
    const env = preset?.keyEnv ? `${preset.keyEnv} or AUTODEV_API_KEY` : 'AUTODEV_API_KEY';
    throw new AutoDevError('Usage', `no API key for ${new URL(baseUrl).host}: run "AutoDev: Set API Key" or set ${env}`);
  }
  return new OpenAiCompatibleProvider({
    baseUrl,
    model,
    apiKey: config.apiKey,
    timeoutMs: config.timeoutMs,
    ...(config.stream !== undefined ? { stream: config.stream } : {}),
    headers: preset?.headers,
    // Ollama runs on this machine; other local URLs may be proxies to paid APIs, so they use the price table.
    ...(preset?.name === 'ollama' ? { pricing: 'free' as const } : {}),
    ...extras,
  });
}
