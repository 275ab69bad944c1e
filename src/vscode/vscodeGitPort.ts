/** GitPort through the built-in git extension (so the SCM view updates at once), with simple-git for what its API lacks. */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { AutoDevError } from '../core/errors';
import type { GitPort } from '../core/git/gitPort';
import { SimpleGitPort } from '../core/git/simpleGitPort';
import { GIT_ERROR_CODES, type GitApi, type GitExtension, type GitRepository } from './gitExtensionApi';

/** The git extension's API, or undefined when it is missing or disabled (`git.enabled: false`). */
export async function getGitApi(): Promise<GitApi | undefined> {
  const ext = vscode.extensions.getExtension<GitExtension>('vscode.git');
  if (!ext) return undefined;
  const exports = ext.isActive ? ext.exports : await ext.activate();
  if (!exports?.enabled) return undefined;
  const api = exports.getAPI(1);
  if (api.state !== 'initialized') {
    await new Promise<void>((resolve) => {
      const sub = api.onDidChangeState((s) => {
        if (s === 'initialized') {
          sub.dispose();
          resolve();
        }
      });
      setTimeout(() => {
        sub.dispose();
        resolve();
      }, 10_000);
    });
  }
  return api;
}

/** Picks the git extension when it answers, else simple-git: the loop works the same either way. */
export async function createGitPort(): Promise<GitPort> {
  const api = await getGitApi().catch(() => undefined);
  return api ? new VsCodeGitPort(api) : new SimpleGitPort();
}

export class VsCodeGitPort implements GitPort {
  /** simple-git does what the git API cannot: commit with a pathspec, revert. */
  private readonly fallback = new SimpleGitPort();

  constructor(private readonly api: GitApi) {}

  private async repository(dir: string): Promise<GitRepository | null> {
    const uri = vscode.Uri.file(dir);
    return this.api.getRepository(uri) ?? (await this.api.openRepository(uri).catch(() => null));
  }

  async isRepo(dir: string): Promise<boolean> {
    return (await this.repository(dir)) !== null || (await this.fallback.isRepo(dir));
  }

  async commit(dir: string, files: string[], message: string, branch?: string): Promise<string> {
    const repo = await this.repository(dir);
    if (!repo) return this.fallback.commit(dir, files, message, branch);
    await repo.status();
    const wanted = new Set(files.map((f) => path.resolve(dir, f)));
    // The API commits the whole index: if the user staged other changes, commit by pathspec instead so theirs stay staged.
    if (repo.state.indexChanges.some((c) => !wanted.has(c.uri.fsPath))) {
      const sha = await this.fallback.commit(dir, files, message, branch);
      await repo.status();
      return sha;
    }
    try {
      if (branch && repo.state.HEAD?.name !== branch) {
        const exists = await repo.getBranch(branch).then(() => true, () => false);
        if (exists) await repo.checkout(branch);
        else await repo.createBranch(branch, true);
      }
      await repo.add([...wanted]);
      await repo.commit(message);
    } catch (err) {
      // e.g. no committer identity configured: simple-git commits the same paths with a fallback identity.
      try {
        const sha = await this.fallback.commit(dir, files, message, branch);
        await repo.status();
        return sha;
      } catch {
        throw new AutoDevError('GitError', `Committing the fix failed: ${gitMessage(err)}`);
      }
    }
    await repo.status();
    const sha = repo.state.HEAD?.commit;
    if (!sha) throw new AutoDevError('GitError', 'The fix was committed but git reports no HEAD commit.');
    return sha;
  }

  async push(dir: string): Promise<void> {
    const repo = await this.repository(dir);
    if (!repo) return this.fallback.push(dir);
    await repo.status();
    const head = repo.state.HEAD;
    if (repo.state.remotes.length === 0) {
      throw new AutoDevError('NoRemote', 'This repository has no remote to push to. Add one (git remote add origin <url>), then push again.');
    }
    try {
      if (head?.upstream) await repo.push();
      else await repo.push(repo.state.remotes[0].name, head?.name, true);
    } catch (err) {
      throw pushError(err);
    }
  }

  async revert(dir: string, sha: string): Promise<string> {
    const out = await this.fallback.revert(dir, sha);
    await (await this.repository(dir))?.status();
    return out;
  }
}

function gitMessage(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  return (e?.stderr || e?.message || String(err)).trim().split('\n').slice(-3).join(' ');
}

/** Maps the git extension's `gitErrorCode` to the core's typed push errors. */
export function pushError(err: unknown): AutoDevError {
  const code = (err as { gitErrorCode?: string })?.gitErrorCode;
  const text = gitMessage(err);
  switch (code) {
    case GIT_ERROR_CODES.PushRejected:
      return new AutoDevError('PushRejected', `The remote rejected the push (non-fast-forward): pull or rebase onto the remote branch, then push again. ${text}`);
    case GIT_ERROR_CODES.NoRemoteRepositorySpecified:
    case GIT_ERROR_CODES.NoUpstreamBranch:
      return new AutoDevError('NoRemote', `There is no remote or upstream branch to push to: add a remote or set an upstream, then push again. ${text}`);
    case GIT_ERROR_CODES.AuthenticationFailed:
      return new AutoDevError('PushRejected', `Authentication to the remote failed: sign in to the git host or fix your credentials, then push again. ${text}`);
    default:
      if (/non-fast-forward|\[rejected\]|fetch first/i.test(text)) return new AutoDevError('PushRejected', `The remote rejected the push (non-fast-forward): pull or rebase first, then push again. ${text}`);
      if (/authentication|could not read username|permission denied/i.test(text)) return new AutoDevError('PushRejected', `Authentication to the remote failed: fix your credentials, then push again. ${text}`);
      return new AutoDevError('GitError', `Push failed: ${text}`);
  }
}
