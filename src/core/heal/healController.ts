/** The heal loop as its front ends (VS Code, CLI) drive it. Implemented by HealSession in healSession.ts. */
import type { Disposable } from '../lifecycle';
import type { FixLimits, LlmProvider } from '../agent/llmProvider';
import type { PendingPatch } from '../patch/pendingPatch';
import type { ContainerRuntime, RuntimeSettings } from '../runtime/containerRuntime';
import type { GitPort, GitSettings } from '../git/gitPort';
import type { PatchApplier } from '../patch/patchApplier';
import type { Logger } from '../common/logger';
import type { ToolCapabilityCache } from '../agent/capabilityCache';
import type { FixRecord, HealEvent, HealState } from './healEvents';

export interface VerifySettings {
  windowSeconds: number; // default 10
  healthUrl?: string;
  command?: string;
  /**
   * Replay a crashing POST/PUT/PATCH/DELETE in the scratch container (a throwaway copy, network cut). Default true:
   * false is the opt-out, and a crash that is then not replayed can only end unverified.
   */
  replayUnsafeMethods: boolean;
  /** Scratch containers get no outbound network (default true; off for apps that must reach a service to start). */
  isolateScratchNetwork?: boolean;
}

export interface HealConfig {
  workspaceDir: string;
  runtime: RuntimeSettings;
  containerRuntime: ContainerRuntime;
  /** Returns the model to use for this incident (builtin, openai-compatible, vscode.lm). */
  provider: () => Promise<LlmProvider>;
  /** Secret values (API keys) to redact in addition to .env values and known key formats. */
  secrets: string[];
  mode: 'review' | 'autonomous';
  verify: VerifySettings;
  fix: FixLimits & { maxAttempts: number };
  git: GitSettings;
  /** Writes an accepted patch to the workspace (FsPatchApplier; a WorkspaceEdit in VS Code). */
  applier: PatchApplier;
  /** Commits and pushes fixes (SimpleGitPort; the built-in git extension in VS Code). */
  gitPort: GitPort;
  /** Where the loop reports what it cannot put in an event (a failing listener, a cleanup that failed). */
  logger: Logger;
  /** Tool-calling capability per (base URL, model), so a model is probed once. */
  capabilities: ToolCapabilityCache;
  /** Where daily spend is kept across runs (a JSON file). */
  budgetFile?: string;
}

export interface HealController extends Disposable {
  readonly state: HealState;
  onEvent(listener: (e: HealEvent) => void): Disposable;
  /** Builds, starts and watches the app. */
  deploy(signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Starts a fix for the last crash now (even when auto-heal is paused). */
  fixNow(): Promise<void>;
  setAutoHealPaused(paused: boolean): void;
  /** Review mode: apply the verified patch (through the applier), restart, watch, commit. */
  accept(patchId: string): Promise<void>;
  reject(patchId: string): Promise<void>;
  /** Raises the memory limit after an OOM kill and restarts. */
  raiseMemoryLimit(): Promise<void>;
  /** Reverts a committed fix with a new commit; the `fix` event tells every consumer. Returns the updated record. */
  revertFix(fix: FixRecord): Promise<FixRecord>;
  /** Pushes the branch holding a committed fix; the `push` and `fix` events tell every consumer. */
  pushFix(fix: FixRecord): Promise<FixRecord>;
}
