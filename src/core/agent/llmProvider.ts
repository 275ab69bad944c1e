/** The port to a language model: OpenAI-style chat messages with function calling. */

export interface ToolCall {
  id: string;
  name: string;
  /** Raw JSON text as the model sent it (may be malformed: the fix loop reports that back to the model). */
  arguments: string;
  /** Provider-specific fields of this call that must be sent back verbatim (Gemini's `extra_content` thought signature). */
  providerFields?: Record<string, unknown>;
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | {
      role: 'assistant';
      content: string | null;
      toolCalls?: ToolCall[];
      /** Provider-specific fields that must be sent back verbatim (reasoning_content, thought signatures). */
      providerFields?: Record<string, unknown>;
    }
  | { role: 'tool'; toolCallId: string; content: string };

export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON schema of the arguments. */
  parameters: Record<string, unknown>;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  /** From the provider (OpenRouter `cost`) or a price table; undefined when unknown. */
  costUsd?: number;
}

export interface CompletionRequest {
  messages: ChatMessage[];
  tools: ToolDefinition[];
  signal?: AbortSignal;
}

export interface CompletionResult {
  message: Extract<ChatMessage, { role: 'assistant' }>;
  usage?: Usage;
  finishReason?: string;
}

export interface LlmProvider {
  /** 'builtin', 'openai', 'vscode-lm' */
  readonly id: string;
  readonly model: string;
  /** The endpoint, when there is one (keys the tool-calling probe cache and the ledger). */
  readonly baseUrl?: string;
  complete(request: CompletionRequest): Promise<CompletionResult>;
}

/** How to reach a model. Keys are never stored here in settings: they come from SecretStorage or env vars. */
export interface ProviderConfig {
  kind: 'builtin' | 'openai';
  /** Preset name: 'openrouter' | 'gemini' | 'openai' | 'ollama' | 'custom'. */
  preset?: string;
  baseUrl?: string;
  model?: string;
  apiKey?: string;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Stream responses (default true); off for servers whose streaming is broken. */
  stream?: boolean;
}

/** Caps of one fix attempt / one incident. */
export interface FixLimits {
  maxTurns: number; // default 8
  maxTokens: number; // per incident
  maxCostUsd: number; // per crash signature, default 0.50
  dailyCostUsd: number;
  timeoutMs: number; // per model request
}
