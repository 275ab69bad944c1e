/** The port that applies a pending patch to the real workspace (core: FsPatchApplier; VS Code: a WorkspaceEdit). */
import type { PendingPatch } from './pendingPatch';

/** Applies/reverts a patch to the real workspace. Core default writes files atomically; VS Code uses a WorkspaceEdit. */
export interface PatchApplier {
  /** Throws AutoDevError('PatchConflict') if a file changed since the patch was computed; writes nothing then. */
  apply(workspaceDir: string, patch: PendingPatch): Promise<void>;
  /** Restores every file of the patch byte-for-byte. */
  revert(workspaceDir: string, patch: PendingPatch): Promise<void>;
}
