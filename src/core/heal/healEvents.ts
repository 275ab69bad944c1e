/** Events of the heal loop. Every consumer (webview, CLI --json, status bar, Problems panel) subscribes to these. */
import type { CrashReport } from '../crash/crashReport';
import type { EngineInfo, LogLine } from '../runtime/containerRuntime';
import type { AgentActivity, LedgerRecord } from '../agent/ledger';
import type { ReproducerResult, VerificationResult } from '../replay/replayResults';
import type { PendingPatch } from '../patch/pendingPatch';
import type { HealState, HealTriggerName } from './healMachine';

export type { HealState } from './healMachine';
export { HEAL_STATES } from './healMachine';

export interface FixRecord {
  id: string;
  signature: string;
  crashType: string;
  file: string | null;
  line: number | null;
  /** `unverified`: the crash could not be reproduced, so the candidate was neither applied nor committed. */
  status: 'proposed' | 'applied' | 'committed' | 'pushed' | 'failed' | 'rejected' | 'reverted' | 'unverified';
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
  /**
   * A state change: `trigger` says what happened, `deploymentId` counts deploys of this session (a new one starts
   * at each `deployRequested`), `incidentId` names the incident the change belongs to (the FixRecord's id).
   */
  | { kind: 'state'; state: HealState; previous: HealState; trigger: HealTriggerName; at: number; deploymentId: number; incidentId?: string; reason?: string }
  | { kind: 'log'; line: LogLine }
  /** Build output; `step` when a build step starts (`step 3/7: RUN npm install`), `note` for plain advice. */
  | { kind: 'build'; text: string; step?: { index: number; total: number }; note?: boolean }
  | { kind: 'proxy'; url: string; containerPort: number }
  /** The engine the app is deployed to (a local or remote Docker engine, a Kubernetes cluster). */
  | { kind: 'engine'; engine: EngineInfo }
  | { kind: 'crash'; crash: CrashReport; occurrences: number; at: number; resourceKill?: { memoryLimitMb?: number } }
  /**
   * A trace seen complete in the log, before its `crash` event: shown at once. The `crash` event that follows (after
   * the next line, the end of the output or a short quiet period) is final and may differ: a Python traceback can
   * still grow into the exception it caused. Only `crash` starts a fix.
   */
  | { kind: 'crashSeen'; crash: CrashReport; at: number }
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
      /** The crash could not be reproduced: the candidate stays unverified (never HEALED, never committed). */
      unverified?: boolean;
      reason: string;
      fix?: FixRecord;
      reproducer?: ReproducerResult;
      mttrMs?: number;
      /** Nothing was wrong: the app exited 0, or it wants input (not a bug, never sent to the fixer). CLI exit 3. */
      nothingToHeal?: 'exited' | 'needs-input';
    };
