/** LlmProvider over VS Code's Language Model API (vscode.lm): tools as LanguageModelChatTool, tool parts mapped both ways. */
import * as vscode from 'vscode';
import { AutoDevError } from '../core/errors';
import type { ChatMessage, CompletionRequest, CompletionResult, LlmProvider, ToolCall } from '../core/agent/llmProvider';

/** Picks a chat model: by id when `modelId` is set, else the first one VS Code offers. */
export async function selectLmChatModel(modelId: string | undefined): Promise<vscode.LanguageModelChat> {
  const models = modelId ? await vscode.lm.selectChatModels({ id: modelId }) : await vscode.lm.selectChatModels();
  const model = models[0] ?? (modelId ? (await vscode.lm.selectChatModels())[0] : undefined);
  if (!model) {
    throw new AutoDevError('LlmError', 'No VS Code language model is available. Install and sign in to a chat model extension, or set "autodev.model.provider" to builtin or openai.');
  }
  return model;
}

/** The API has no system role: the system prompt travels as the first user message, as VS Code's own samples do. */
export function toLmMessages(messages: ChatMessage[]): vscode.LanguageModelChatMessage[] {
  const out: vscode.LanguageModelChatMessage[] = [];
  for (const m of messages) {
    switch (m.role) {
      case 'system':
      case 'user':
        out.push(vscode.LanguageModelChatMessage.User(m.content));
        break;
      case 'assistant': {
        const parts: (vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart)[] = [];
        if (m.content) parts.push(new vscode.LanguageModelTextPart(m.content));
        for (const call of m.toolCalls ?? []) parts.push(new vscode.LanguageModelToolCallPart(call.id, call.name, parseArguments(call.arguments)));
        out.push(vscode.LanguageModelChatMessage.Assistant(parts.length ? parts : ''));
        break;
      }
      case 'tool':
        out.push(vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(m.toolCallId, [new vscode.LanguageModelTextPart(m.content)])]));
        break;
    }
  }
  return out;
}

function parseArguments(json: string): object {
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' ? (v as object) : { value: v };
  } catch {
    // The model's malformed arguments go back as text so the next turn can see what it sent.
    return { raw: json };
  }
}

export class VscodeLmProvider implements LlmProvider {
  readonly id = 'vscode-lm';

  constructor(private readonly chat: vscode.LanguageModelChat) {}

  get model(): string {
    return this.chat.id;
  }

  async complete(request: CompletionRequest): Promise<CompletionResult> {
    const cts = new vscode.CancellationTokenSource();
    const onAbort = () => cts.cancel();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const tools: vscode.LanguageModelChatTool[] = request.tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.parameters }));
      const messages = toLmMessages(request.messages);
      const response = await this.chat.sendRequest(
        messages,
        { justification: 'AutoDev diagnoses and patches the crash it detected.', tools, toolMode: tools.length ? vscode.LanguageModelChatToolMode.Auto : undefined },
        cts.token,
      );
      let text = '';
      const toolCalls: ToolCall[] = [];
      for await (const part of response.stream) {
        if (part instanceof vscode.LanguageModelTextPart) text += part.value;
        else if (part instanceof vscode.LanguageModelToolCallPart) toolCalls.push({ id: part.callId, name: part.name, arguments: JSON.stringify(part.input ?? {}) });
      }
      // The API reports no usage; estimate (≈4 characters a token) so token caps still hold. Cost is unknown.
      const promptChars = request.messages.reduce((n, m) => n + (m.content?.length ?? 0), 0);
      return {
        message: { role: 'assistant', content: text || null, toolCalls: toolCalls.length ? toolCalls : undefined },
        usage: { promptTokens: Math.ceil(promptChars / 4), completionTokens: Math.ceil((text.length + JSON.stringify(toolCalls).length) / 4) },
        finishReason: toolCalls.length ? 'tool_calls' : 'stop',
      };
    } catch (err) {
      if (request.signal?.aborted || err instanceof vscode.CancellationError) throw new AutoDevError('Cancelled', 'The model request was cancelled.');
      if (err instanceof vscode.LanguageModelError) {
        throw new AutoDevError('LlmError', `The VS Code language model refused the request (${err.code}): ${err.message}`);
      }
      throw err;
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
      cts.dispose();
    }
  }
}
