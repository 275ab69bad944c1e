/** GitPort over simple-git: commits exactly the fix's hunks, optional fix branch, push with typed errors, revert. */
import { createHash } from 'node:crypto';
import type { SimpleGit } from 'simple-git';
import { AutoDevError } from '../errors';
import type { PatchFile } from '../patch/pendingPatch';
import { commitFixHunks } from './hunkCommit';
import { hardenedGit } from './hardenedGit';
import type { GitPort } from './gitPort';

/** `autodev/fix-<short-signature>`: a stable branch name per crash signature. */
export function fixBranchName(signature: string): string {
  return `autodev/fix-${createHash('sha1').update(signature).digest('hex').slice(0, 8)}`;
}

/** Used only when the repository has no committer identity configured, so a commit never fails for that reason. */
const FALLBACK_IDENTITY = ['user.name=AutoDev', 'user.email=autodev@localhost'];

export interface SimpleGitPortOptions {
  /** Run the repository's git hooks (the user opted in, in a trusted workspace). Off by default. */
  runHooks?: boolean;
}

/** Every call goes through hardenedGit: hooks and fsmonitor off, literal pathspecs, no prompts. */
export class SimpleGitPort implements GitPort {
  constructor(private readonly options: SimpleGitPortOptions = {}) {}

  private git(dir: string, config: string[] = []): SimpleGit {
    return hardenedGit(dir, { config, runHooks: this.options.runHooks });
  }

  async isRepo(dir: string): Promise<boolean> {
    try {
      return await this.git(dir).checkIsRepo();
    } catch {
      return false;
    }
  }

  /** Commits exactly the fix's hunks (see hunkCommit.ts): other edits, staged or not, stay out of the commit. */
  async commit(dir: string, files: readonly PatchFile[], message: string, branch?: string): Promise<string> {
    if (files.length === 0) throw new AutoDevError('GitError', 'Nothing to commit: the patch changed no files.');
    const config = (await this.hasIdentity(dir)) ? [] : FALLBACK_IDENTITY;
    try {
      return await commitFixHunks(dir, files, message, { config, runHooks: this.options.runHooks, branch });
    } catch (err) {
      throw gitError(err, 'commit');
    }
  }

  async push(dir: string): Promise<void> {
    const git = this.git(dir);
    let remotes: string[];
    let branch: string;
    try {
      remotes = (await git.getRemotes()).map((r) => r.name);
      branch = (await git.revparse(['--abbrev-ref', 'HEAD'])).trim();
    } catch (err) {
      throw gitError(err, 'push');
    }
    if (remotes.length === 0) {
      throw new AutoDevError('NoRemote', 'This repository has no remote to push to. Add one (git remote add origin URL) and push again.');
    }
    let upstream: string | null = null;
    try {
      upstream = (await git.raw(['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{u}'])).trim() || null;
    } catch {
      upstream = null;
    }
    try {
      // --no-verify as well as the hooksPath override: no pre-push hook runs unless the user opted in.
      const verify = this.options.runHooks ? [] : ['--no-verify'];
      if (upstream) await git.raw(['push', ...verify]);
      else {
        // No upstream yet (e.g. a new fix branch): publish it to origin (or the only remote) and track it.
        const remote = remotes.includes('origin') ? 'origin' : remotes[0];
        await git.raw(['push', ...verify, '--set-upstream', remote, branch]);
      }
    } catch (err) {
      throw gitError(err, 'push');
    }
  }

  async revert(dir: string, sha: string): Promise<string> {
    const config = (await this.hasIdentity(dir)) ? [] : FALLBACK_IDENTITY;
    const git = this.git(dir, config);
    try {
      await git.raw(['revert', '--no-edit', sha]);
      return (await git.revparse(['HEAD'])).trim();
    } catch (err) {
      try {
        await git.raw(['revert', '--abort']);
      } catch {
        // nothing to abort
      }
      throw gitError(err, 'revert');
    }
  }

  private async hasIdentity(dir: string): Promise<boolean> {
    try {
      const git = this.git(dir);
      const email = await git.raw(['config', '--get', 'user.email']).catch(() => '');
      const name = await git.raw(['config', '--get', 'user.name']).catch(() => '');
      return Boolean(email.trim() && name.trim());
    } catch {
      return false;
    }
  }
}

/** Maps git's stderr to the typed errors the UI explains (no remote, rejected, auth). */
function gitError(err: unknown, op: string): AutoDevError {
  if (err instanceof AutoDevError) return err;
  const text = err instanceof Error ? err.message : String(err);
  if (/non-fast-forward|\[rejected\]|fetch first|failed to push some refs/i.test(text) && !/authentication|permission denied|could not read/i.test(text)) {
    return new AutoDevError('PushRejected', 'The push was rejected because the remote has commits you do not have (non-fast-forward). Pull or rebase, then push again.', text);
  }
  if (/no configured push destination|does not appear to be a git repository|no such remote/i.test(text)) {
    return new AutoDevError('NoRemote', 'There is no remote to push to. Add one (git remote add origin URL) and push again.', text);
  }
  if (/authentication failed|could not read username|permission denied|403|401/i.test(text)) {
    return new AutoDevError('GitError', `git ${op} failed: the remote refused the credentials. Sign in to the remote (credential helper or SSH key) and try again.`, text);
  }
  return new AutoDevError('GitError', `git ${op} failed: ${text.split('\n').find((l) => l.trim()) ?? text}`, text);
}
