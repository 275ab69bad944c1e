/** The git operations the heal loop needs: simple-git in core and the CLI, the built-in git extension in VS Code. */

/** Git operations the loop needs. simple-git by default; VS Code may use the built-in git extension API. */
export interface GitPort {
  isRepo(dir: string): Promise<boolean>;
  /** Stages exactly `files` and commits; returns the commit sha. */
  commit(dir: string, files: string[], message: string, branch?: string): Promise<string>;
  /** Pushes the current branch to its upstream; typed errors NoRemote / PushRejected / GitError. */
  push(dir: string): Promise<void>;
  revert(dir: string, sha: string): Promise<string>;
}

/** Where and whether an accepted fix is committed and pushed. */
export interface GitSettings {
  commit: boolean;
  autoPush: boolean;
  branch: 'current' | 'fix-branch';
}
