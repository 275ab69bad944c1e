/** `autodev.privacy.confirmBeforeSend`: wraps an LlmProvider so each request first shows what would leave the machine. */
import * as vscode from 'vscode';
import { AutoDevError } from '../core/errors';
import { REDACTION_MARKER } from '../core/privacy/secretMasker';
import type { CompletionRequest, CompletionResult, LlmProvider } from '../core/agent/llmProvider';

/**
 * The payload as it will leave: the core hands the provider messages that are already redacted, so this is the
 * ledger's payload shape (model, messages, tool names) built from the request itself. The core's ledger record
 * arrives only after the request completes, so it cannot be shown here without being one request stale.
 */
export function describePayload(model: string, request: CompletionRequest): string {
  return JSON.stringify({ model, messages: request.messages, tools: request.tools.map((t) => t.name) }, null, 1);
}

/** Counts what the request carries, for the one-line question. */
export function describeRequest(request: CompletionRequest): string {
  const chars = request.messages.reduce((n, m) => n + (m.content?.length ?? 0), 0);
  const masked = request.messages.reduce((n, m) => n + (m.content?.split(REDACTION_MARKER).length ?? 1) - 1, 0);
  return `${request.messages.length} message(s), ${chars.toLocaleString('en-US')} characters${masked ? `, ${masked} masked value(s)` : ''}`;
}

export class ConfirmingProvider implements LlmProvider {
  constructor(
    private readonly inner: LlmProvider,
    private readonly ask: (summary: string, payload: string) => Promise<boolean> = askInEditor,
  ) {}

  get id(): string {
    return this.inner.id;
  }

  get model(): string {
    return this.inner.model;
  }

  async complete(request: CompletionRequest): Promise<CompletionResult> {
    const summary = `AutoDev is about to send ${describeRequest(request)} to ${this.inner.id}/${this.inner.model}.`;
    if (!(await this.ask(summary, describePayload(this.inner.model, request)))) {
      throw new AutoDevError('Cancelled', 'You cancelled sending the request to the model; nothing was sent.');
    }
    return this.inner.complete(request);
  }
}

/** Opens the masked payload in a read-only-ish untitled editor beside, then asks Send / Cancel (modal). */
async function askInEditor(summary: string, payload: string): Promise<boolean> {
  const doc = await vscode.workspace.openTextDocument({ language: 'jsonc', content: `// What AutoDev would send (secrets masked). Nothing is sent until you choose Send.\n${payload}` });
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
  const pick = await vscode.window.showWarningMessage(summary, { modal: true, detail: 'The request is shown in the editor beside. Send it?' }, 'Send');
  return pick === 'Send';
}
