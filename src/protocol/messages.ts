/**
 * Typed messages between the extension host and the Mission Control webview. Imported by both bundles.
 * Names are `noun/verb` (requests, commands) or `noun/didX` (notifications). The webview says `ready` first;
 * the host answers with a full `state/snapshot`, then pushes deltas. Log lines travel in batches.
 */
import type { AgentActivityDto, CrashDto, FixDto, HealState, LedgerRecordDto, LogLineDto, PatchDto, Snapshot } from './dtos';

/** Host → webview. */
export type HostMessage =
  | { type: 'state/snapshot'; snapshot: Snapshot }
  | { type: 'logs/didAppend'; lines: LogLineDto[] }
  | { type: 'logs/didClear' }
  | { type: 'state/didChange'; state: HealState; at: number; reason?: string }
  | { type: 'crash/didDetect'; crash: CrashDto }
  /** The crash no longer describes the running code (a fresh deploy). */
  | { type: 'crash/didClear' }
  | { type: 'agent/didAct'; activity: AgentActivityDto }
  | { type: 'ledger/didRecord'; record: LedgerRecordDto }
  | { type: 'patch/didPropose'; patch: PatchDto }
  | { type: 'patch/didClear' }
  | { type: 'fix/didUpdate'; fix: FixDto }
  | { type: 'proxy/didChange'; url: string | null }
  | { type: 'engine/didChange'; engine: string | null }
  | { type: 'autoHeal/didChange'; paused: boolean };

/** Webview → host. Validated by the host: the webview is untrusted input. */
export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'deploy' }
  | { type: 'stop' }
  | { type: 'restart' }
  | { type: 'fix/now' }
  | { type: 'autoHeal/setPaused'; paused: boolean }
  | { type: 'fix/accept'; patchId: string }
  | { type: 'fix/reject'; patchId: string }
  | { type: 'file/open'; file: string; line: number | null }
  | { type: 'memory/raiseLimit' }
  | { type: 'crash/askModel' };

export const WEBVIEW_MESSAGE_TYPES: readonly WebviewMessage['type'][] = [
  'ready', 'deploy', 'stop', 'restart', 'fix/now', 'autoHeal/setPaused', 'fix/accept', 'fix/reject', 'file/open',
  'memory/raiseLimit', 'crash/askModel',
];

/** Validates an inbound message from the webview; returns null for anything malformed. */
export function parseWebviewMessage(raw: unknown): WebviewMessage | null {
  if (!raw || typeof raw !== 'object') return null;
  const m = raw as Record<string, unknown>;
  if (typeof m.type !== 'string' || !(WEBVIEW_MESSAGE_TYPES as readonly string[]).includes(m.type)) return null;
  switch (m.type) {
    case 'autoHeal/setPaused':
      return typeof m.paused === 'boolean' ? { type: m.type, paused: m.paused } : null;
    case 'fix/accept':
    case 'fix/reject':
      return typeof m.patchId === 'string' && m.patchId.length < 200 ? { type: m.type, patchId: m.patchId } : null;
    case 'file/open':
      return typeof m.file === 'string' && m.file.length < 4096 && (m.line === null || (typeof m.line === 'number' && Number.isInteger(m.line)))
        ? { type: m.type, file: m.file, line: m.line as number | null }
        : null;
    default:
      return { type: m.type } as WebviewMessage;
  }
}
