/** The heal loop as its front ends (VS Code, CLI) drive it. Implemented by HealSession in healSession.ts. */
import type { Disposable } from '../lifecycle';
import type { FixLimits, LlmProvider, PendingPatch } from '../agent/llmProvider';
import type { ContainerRuntime, RuntimeSettings } from '../runtime/containerRuntime';
import type { HealEvent, HealState } from './healEvents';

export interface VerifySettings {
  windowSeconds: number; // default 10
  healthUrl?: string;
  command?: string;
  replayUnsafeMethods: boolean; // default false
}

export interface GitSettings {
  commit: boolean;
  autoPush: boolean;
  branch: 'current' | 'fix-branch';
}

/** Applies/reverts a patch to the real workspace. Core default writes files atomically; VS Code uses a WorkspaceEdit. */
export interface PatchApplier {
  /** Throws AutoDevError('PatchConflict') if a file changed since the patch was computed; writes nothing then. */
  apply(workspaceDir: string, patch: PendingPatch): Promise<void>;
  /** Restores every file of the patch byte-for-byte. */
  revert(workspaceDir: string, patch: PendingPatch): Promise<void>;
}

/** Git operations the loop needs. simple-git by default; VS Code may use the built-in git extension API. */
export interface GitPort {
  isRepo(dir: string): Promise<boolean>;
  /** Stages exactly `files` and commits; returns the commit sha. */
  commit(dir: string, files: string[], message: string, branch?: string): Promise<string>;
  /** Pushes the current branch to its upstream; typed errors NoRemote / PushRejected / GitError. */
  push(dir: string): Promise<void>;
  revert(dir: string, sha: string): Promise<string>;
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
  applier?: PatchApplier;
  gitPort?: GitPort;
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
}
