/**
 * The wire's own types: what Mission Control receives. They do not import the core (the webview bundle sees only
 * src/protocol/); the host's feed assigns core values to them, so the compiler keeps both sides in step. A patch
 * travels without its files' bodies (the diff shows the change; the bodies stay in the host for the diff editor).
 */

export type HealState = 'IDLE' | 'DEPLOYING' | 'RUNNING' | 'CRASHED' | 'FIXING' | 'VERIFYING' | 'REVIEW' | 'APPLYING' | 'HEALED' | 'FAILED';

export type LogStream = 'stdout' | 'stderr' | 'system';

/** A log line as the webview needs it (ANSI kept). */
export interface LogLineDto {
  seq: number;
  stream: LogStream;
  text: string;
  time: number;
}

export interface StackFrameDto {
  file: string;
  line: number | null;
  function: string | null;
  workspaceFile?: string;
  user?: boolean;
}

export interface CrashReportDto {
  language: string;
  type: string;
  message: string;
  frames: StackFrameDto[];
  userFrame: { file: string; line: number | null; workspaceFile?: string; function?: string | null } | null;
  signature: string;
  lines?: [number, number];
  text?: string;
  causes?: { type: string; message: string }[];
  run?: number;
}

export interface CrashDto {
  crash: CrashReportDto;
  occurrences: number;
  at: number;
  /** Set when the process was killed for memory: not a code bug by default. */
  resourceKill?: { memoryLimitMb?: number };
}

export interface ReproducerDto {
  kind: 'http' | 'start' | 'command' | 'none';
  description: string;
  before?: string;
  after?: string;
  reproduced: boolean;
  note?: string;
  crashAfterMs?: number;
}

/** One request answered by the unpatched and the patched scratch app, side by side. */
export interface AnswerPairDto {
  request: string;
  before: string;
  after: string;
  differences: string[];
}

export interface EvidenceDto {
  crash?: AnswerPairDto & { verdict: 'ok' | 'refused' | 'masks'; detail: string };
  samples: AnswerPairDto[];
  output?: { lines: number; difference: string | null };
}

export interface VerificationDto {
  passed: boolean;
  /** Not reproduced on the unpatched copy: nothing proves the patch. */
  unverified?: boolean;
  /** The patched answer looks like a default: the patch masks the error. */
  masks?: string;
  checks: { name: string; passed: boolean; detail: string }[];
  reproducer?: ReproducerDto;
  evidence?: EvidenceDto;
  outputTail?: string[];
}

export interface AgentActivityDto {
  attempt: number;
  tool: string;
  args: Record<string, unknown> | string;
  ok: boolean;
  result: string;
  at: number;
}

export interface LedgerRecordDto {
  id: string;
  attempt: number;
  provider: string;
  model: string;
  baseUrl?: string;
  files: { path: string; lines: [number, number] }[];
  logLines: number;
  redactions: Record<string, number>;
  tokens: { prompt: number; completion: number };
  costUsd: number | null;
  /** The redacted payload, for the "Sent to model" panel. */
  payload?: string;
  at: number;
}

export type FixStatus = 'proposed' | 'applied' | 'committed' | 'pushed' | 'failed' | 'rejected' | 'reverted' | 'unverified';

export interface FixDto {
  id: string;
  signature: string;
  crashType: string;
  file: string | null;
  line: number | null;
  status: FixStatus;
  summary: string;
  provider: string;
  model: string;
  attempts: number;
  crashedAt: number;
  healedAt?: number;
  mttrMs?: number;
  commit?: string;
  verification?: VerificationDto;
  diff?: string;
  reason?: string;
}

/** A proposed patch without its files' bodies: which files, the unified diff, who wrote it. */
export interface PatchSummaryDto {
  id: string;
  files: { path: string; created: boolean }[];
  diff: string;
  summary: string;
  provider: string;
  model: string;
  attempt: number;
  promptTokens: number;
  completionTokens: number;
  costUsd?: number;
}

export interface PatchDto {
  patch: PatchSummaryDto;
  verification: VerificationDto;
}

export interface Snapshot {
  state: HealState;
  timeline: { state: HealState; at: number; reason?: string }[];
  /** The most recent lines (the host keeps a bounded tail for restores). */
  logs: LogLineDto[];
  crash: CrashDto | null;
  activity: AgentActivityDto[];
  ledger: LedgerRecordDto[];
  patch: PatchDto | null;
  fixes: FixDto[];
  autoHealPaused: boolean;
  workspaceName: string | null;
  proxyUrl: string | null;
  /** The engine the app runs on ("Docker (local)", "Docker tcp://10.0.0.5:2376 (TLS)", "Kubernetes kind-dev · autodev"). */
  engine: string | null;
  costUsd: number;
}
