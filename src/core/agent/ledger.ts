/** What the fix agent did and sent: tool calls (activity) and one ledger record per outbound model request. */

export interface AgentActivity {
  attempt: number;
  tool: string;
  args: Record<string, unknown> | string;
  ok: boolean;
  /** Short result text (first lines). */
  result: string;
  at: number;
}

/** One outbound model request as recorded before it was sent. Nothing secret is in here. */
export interface LedgerRecord {
  id: string;
  attempt: number;
  provider: string;
  model: string;
  baseUrl?: string;
  /** Files and line ranges included in the request. */
  files: { path: string; lines: [number, number] }[];
  /** How many log lines were included. */
  logLines: number;
  /** kind → count of masked values in this request. */
  redactions: Record<string, number>;
  tokens: { prompt: number; completion: number };
  costUsd: number | null;
  /** The redacted payload, for the "Sent to model" panel. */
  payload?: string;
  at: number;
}
