/** GitPort for VS Code: hardened simple-git for every command, the built-in git extension to refresh the SCM view. */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { AutoDevError } from '../core/errors';
import type { GitPort } from '../core/git/gitPort';
import { SimpleGitPort, type SimpleGitPortOptions } from '../core/git/simpleGitPort';
import type { PatchFile } from '../core/patch/pendingPatch';
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

/** Picks the git extension when it answers (for SCM refreshes), else simple-git alone: git runs the same either way. */
export async function createGitPort(options: SimpleGitPortOptions = {}): Promise<GitPort> {
  const api = await getGitApi().catch(() => undefined);
  return api ? new VsCodeGitPort(api, options) : new SimpleGitPort(options);
}

/**
 * Every git command goes through the hardened SimpleGitPort (hooks and fsmonitor off, exactly the fix's hunks);
 * the git extension's own commit and push would run the repository's hooks and commit whole working-tree files.
 * The extension is only asked to re-read the repository, so the Source Control view updates at once.
 */
export class VsCodeGitPort implements GitPort {
  private readonly git: SimpleGitPort;

  constructor(
    private readonly api: GitApi,
    options: SimpleGitPortOptions = {},
  ) {
    this.git = new SimpleGitPort(options);
  }

  private async refresh(dir: string): Promise<void> {
    const uri = vscode.Uri.file(dir);
    const repo = this.api.getRepository(uri) ?? (await this.api.openRepository(uri).catch(() => null));
    await repo?.status().catch(() => undefined);
  }

  isRepo(dir: string): Promise<boolean> {
    return this.git.isRepo(dir);
  }

  async commit(dir: string, files: readonly PatchFile[], message: string, branch?: string): Promise<string> {
    try {
      return await this.git.commit(dir, files, message, branch);
    } finally {
      await this.refresh(dir);
    }
  }

  async push(dir: string): Promise<void> {
    try {
      await this.git.push(dir);
    } finally {
      await this.refresh(dir);
    }
  }

  async revert(dir: string, sha: string): Promise<string> {
    try {
      return await this.git.revert(dir, sha);
    } finally {
      await this.refresh(dir);
    }
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
