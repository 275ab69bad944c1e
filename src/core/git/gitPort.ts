/** The git operations the heal loop needs: hardened simple-git in core, the CLI and VS Code. */
import type { PatchFile } from '../patch/pendingPatch';

/** Git operations the loop needs. simple-git by default; VS Code may use the built-in git extension API. */
export interface GitPort {
  isRepo(dir: string): Promise<boolean>;
  /**
   * Commits exactly the hunks of `files` (original → patched) on top of HEAD — never the working tree's other
   * edits — with hooks and fsmonitor off unless opted in; returns the commit sha.
   */
  commit(dir: string, files: readonly PatchFile[], message: string, branch?: string): Promise<string>;
  /** Pushes the current branch to its upstream; typed errors NoRemote / PushRejected / GitError. */
  push(dir: string): Promise<void>;
  revert(dir: string, sha: string): Promise<string>;
}

/** Where and whether an accepted fix is committed and pushed. */
export interface GitSettings {
  commit: boolean;
  autoPush: boolean;
  branch: 'current' | 'fix-branch';
  /** Run the repository's git hooks on AutoDev's commits and pushes (opt-in, trusted workspaces only). */
  runHooks?: boolean;
}
