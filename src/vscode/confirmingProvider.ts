/** `autodev.privacy.confirmBeforeSend`: wraps an LlmProvider so each request first shows what would leave the machine. */
import * as vscode from 'vscode';
import { AutoDevError } from '../core/errors';
import type { CompletionRequest, CompletionResult, LlmProvider } from '../core/agent/llmProvider';
import type { LedgerRecord } from '../core/heal/healEvents';

/** The payload as text: the ledger's redacted payload when the core recorded one, else the (already redacted) messages. */
export function describePayload(request: CompletionRequest, record: LedgerRecord | undefined): string {
  if (record?.payload) return record.payload;
  return request.messages
    .map((m) => `── ${m.role}${m.role === 'tool' ? ` (${m.toolCallId})` : ''} ──\n${m.content ?? ''}${m.role === 'assistant' && m.toolCalls ? `\n${m.toolCalls.map((c) => `→ ${c.name}(${c.arguments})`).join('\n')}` : ''}`)
    .join('\n\n');
}

export class ConfirmingProvider implements LlmProvider {
  constructor(
    private readonly inner: LlmProvider,
    /** The ledger record of the request about to be sent (the core records it before calling the provider). */
    private readonly latestRecord: () => LedgerRecord | undefined,
    private readonly ask: (summary: string, payload: string) => Promise<boolean> = askInEditor,
  ) {}

  get id(): string {
    return this.inner.id;
  }

  get model(): string {
    return this.inner.model;
  }

  async complete(request: CompletionRequest): Promise<CompletionResult> {
    const record = this.latestRecord();
    const redacted = record ? Object.entries(record.redactions).map(([k, n]) => `${n} ${k}`).join(', ') : '';
    const summary = `AutoDev is about to send ${record ? `${record.files.length} file(s), ${record.logLines} log line(s)` : `${request.messages.length} message(s)`} to ${this.inner.id}/${this.inner.model}${redacted ? ` (masked: ${redacted})` : ''}.`;
    if (!(await this.ask(summary, describePayload(request, record)))) {
      throw new AutoDevError('Cancelled', 'You cancelled sending the request to the model; nothing was sent.');
    }
    return this.inner.complete(request);
  }
}

/** Opens the masked payload in a read-only-ish untitled editor beside, then asks Send / Cancel (modal). */
async function askInEditor(summary: string, payload: string): Promise<boolean> {
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: `<!-- What AutoDev would send (secrets masked). Nothing is sent until you choose Send. -->\n\n${payload}` });
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
  const pick = await vscode.window.showWarningMessage(summary, { modal: true, detail: 'The request is shown in the editor beside. Send it?' }, 'Send');
  return pick === 'Send';
}
