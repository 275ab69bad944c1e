/** Events of the heal loop. Every consumer (webview, CLI --json, status bar, Problems panel) subscribes to these. */
import type { CrashReport } from '../crash/crashReport';
import type { LogLine } from '../runtime/containerRuntime';
import type { PendingPatch } from '../agent/llmProvider';

export type HealState =
  | 'IDLE'
  | 'DEPLOYING'
  | 'RUNNING'
  | 'CRASHED'
  | 'FIXING'
  | 'VERIFYING'
  | 'REVIEW'
  | 'HEALED'
  | 'FAILED';

export const HEAL_STATES: readonly HealState[] = ['IDLE', 'DEPLOYING', 'RUNNING', 'CRASHED', 'FIXING', 'VERIFYING', 'REVIEW', 'HEALED', 'FAILED'];

/** What the reproducer did before and after the patch, e.g. `GET /stats -> 500 before, 200 after`. */
export interface ReproducerResult {
  kind: 'http' | 'start' | 'command' | 'none';
  /** e.g. `GET /stats`, `start`, `python app.py` */
  description: string;
  before?: string;
  after?: string;
  reproduced: boolean;
  /** Plain words when it was not replayed (unsafe method, no linked request…). */
  note?: string;
}

export interface VerificationResult {
  passed: boolean;
  /** One line per check, human readable. */
  checks: { name: string; passed: boolean; detail: string }[];
  reproducer?: ReproducerResult;
  /** Output of the scratch run, tail. */
  outputTail?: string[];
}

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

export interface FixRecord {
  id: string;
  signature: string;
  crashType: string;
  file: string | null;
  line: number | null;
  status: 'proposed' | 'applied' | 'committed' | 'pushed' | 'failed' | 'rejected' | 'reverted';
  summary: string;
  provider: string;
  model: string;
  attempts: number;
  crashedAt: number;
  healedAt?: number;
  mttrMs?: number;
  commit?: string;
  verification?: VerificationResult;
  diff?: string;
  reason?: string;
}

export type HealEvent =
  | { kind: 'state'; state: HealState; previous: HealState; at: number; reason?: string }
  | { kind: 'log'; line: LogLine }
  /** Build output; `step` when a build step starts (`step 3/7: RUN npm install`), `note` for plain advice. */
  | { kind: 'build'; text: string; step?: { index: number; total: number }; note?: boolean }
  | { kind: 'proxy'; url: string; containerPort: number }
  | { kind: 'crash'; crash: CrashReport; occurrences: number; at: number; resourceKill?: { memoryLimitMb?: number } }
  | { kind: 'agent/tool'; activity: AgentActivity }
  | { kind: 'model/request'; record: LedgerRecord }
  | { kind: 'budget/warn'; message: string }
  | { kind: 'patch'; patch: PendingPatch; verification: VerificationResult }
  | { kind: 'verify'; attempt: number; result: VerificationResult }
  | { kind: 'fix'; fix: FixRecord }
  | { kind: 'commit'; sha: string; message: string; branch?: string }
  | { kind: 'push'; ok: boolean; message: string }
  | { kind: 'error'; code: string; message: string }
  | {
      kind: 'done';
      healed: boolean;
      reason: string;
      fix?: FixRecord;
      reproducer?: ReproducerResult;
      mttrMs?: number;
      /** Nothing was wrong: the app exited 0, or it wants input (not a bug, never sent to the fixer). CLI exit 3. */
      nothingToHeal?: 'exited' | 'needs-input';
    };
