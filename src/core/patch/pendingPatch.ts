/** A patch the agent computed and verification checks: nothing is on disk until an applier applies it. */

/** One changed file of a pending patch; nothing is on disk until the patch is applied. */
export interface PatchFile {
  /** Workspace-relative, forward slashes. */
  path: string;
  /** null when the file is created by the patch. */
  original: string | null;
  patched: string;
}

export interface PendingPatch {
  id: string;
  files: PatchFile[];
  /** Unified diff of all files. */
  diff: string;
  summary: string;
  provider: string;
  model: string;
  attempt: number;
  promptTokens: number;
  completionTokens: number;
  costUsd?: number;
}
