/** GitPort over simple-git: commits exactly the patched files, optional fix branch, push with typed errors, revert. */
import { createHash } from 'node:crypto';
import { simpleGit, type SimpleGit } from 'simple-git';
import { AutoDevError } from '../errors';
import type { GitPort } from './gitPort';

/** `autodev/fix-<short-signature>`: a stable branch name per crash signature. */
export function fixBranchName(signature: string): string {
  return `autodev/fix-${createHash('sha1').update(signature).digest('hex').slice(0, 8)}`;
}

/** Used only when the repository has no committer identity configured, so a commit never fails for that reason. */
const FALLBACK_IDENTITY = ['user.name=AutoDev', 'user.email=autodev@localhost'];

/** GIT_* variables a push may legitimately need; others (GIT_DIR, GIT_INDEX_FILE…) would redirect git elsewhere. */
const PASSED_GIT_ENV = ['GIT_TERMINAL_PROMPT', 'GIT_SSL_CAINFO', 'GIT_SSL_CAPATH', 'GIT_SSH_COMMAND', 'GIT_SSH'];

/** Never passed to git: editors, pagers and askpass helpers (no prompts, no UI from a background commit). */
const DROPPED_ENV = /^(EDITOR|VISUAL|PAGER|LESS|LESSOPEN|SSH_ASKPASS|PREFIX)$/i;

export class SimpleGitPort implements GitPort {
  private git(dir: string, config: string[] = []): SimpleGit {
    // No terminal prompts: a push that needs credentials must fail fast with a clear error, never hang the loop.
    // An explicit environment: the user's, minus variables that would redirect git or start an editor/pager
    // (npm sets EDITOR, for one). Every key we pass is named in allowEnvironment, so simple-git's guard (which
    // rejects guarded keys passed explicitly) cannot fail a commit because of how the CLI was launched.
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v === undefined || DROPPED_ENV.test(k)) continue;
      if (k.startsWith('GIT_') && !PASSED_GIT_ENV.includes(k)) continue;
      env[k] = v;
    }
    env.GIT_TERMINAL_PROMPT = '0';
    env.LC_ALL = 'C';
    return simpleGit({ baseDir: dir, config, allowEnvironment: Object.keys(env), timeout: { block: 120_000 } }).env(env);
  }

  async isRepo(dir: string): Promise<boolean> {
    try {
      return await this.git(dir).checkIsRepo();
    } catch {
      return false;
    }
  }

  async commit(dir: string, files: string[], message: string, branch?: string): Promise<string> {
    if (files.length === 0) throw new AutoDevError('GitError', 'Nothing to commit: the patch changed no files.');
    const config = (await this.hasIdentity(dir)) ? [] : FALLBACK_IDENTITY;
    const git = this.git(dir, config);
    try {
      if (branch) {
        const branches = await git.branchLocal();
        if (branches.current !== branch) {
          // The patched files travel with the checkout (they differ from HEAD; git keeps working-tree changes).
          if (branches.all.includes(branch)) await git.raw(['checkout', branch]);
          else await git.raw(['checkout', '-b', branch]);
        }
      }
      // `add` then `commit --only <paths>`: whatever else the user had staged stays staged and out of this commit.
      await git.raw(['add', '-A', '--', ...files]);
      await git.raw(['commit', '--no-verify', '--only', '-m', message, '--', ...files]);
      return (await git.revparse(['HEAD'])).trim();
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
      if (upstream) await git.raw(['push']);
      else {
        // No upstream yet (e.g. a new fix branch): publish it to origin (or the only remote) and track it.
        const remote = remotes.includes('origin') ? 'origin' : remotes[0];
        await git.raw(['push', '--set-upstream', remote, branch]);
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
