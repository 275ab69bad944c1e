/** `AutoDev: Deploy Repository…`: clones a git URL into a chosen folder with hardened git (no prompts, no hooks, cancellable). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AutoDevError } from '../core/errors';
import { hardenedGit } from '../core/git/hardenedGit';

/** Accepts https/http/ssh/git/file URLs, scp-style `git@host:owner/repo.git`, and local paths to a repository. */
export function validateRepositoryUrl(value: string): string | undefined {
  const v = value.trim();
  if (!v) return 'Enter a git repository URL.';
  if (/^(https?|ssh|git|file):\/\/\S+$/i.test(v)) return undefined;
  if (/^[\w.-]+@[\w.-]+:\S+$/.test(v)) return undefined;
  if (path.isAbsolute(v)) return undefined;
  return 'Not a git URL: use https://…, ssh://…, git@host:owner/repo.git, file://… or an absolute path.';
}

/** `https://host/owner/my-app.git` → `my-app`. */
export function repositoryFolderName(url: string): string {
  const last = url.trim().replace(/[\\/]+$/, '').split(/[\\/:]/).pop() ?? 'repository';
  return last.replace(/\.git$/i, '').replace(/[^\w.-]/g, '-') || 'repository';
}

/** Clones `url` into `<parent>/<name>`; refuses to write into a non-empty folder. Returns the clone's path. */
export async function cloneRepository(url: string, parent: string, signal?: AbortSignal): Promise<string> {
  const target = path.join(parent, repositoryFolderName(url));
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0) {
    throw new AutoDevError('Usage', `${target} already exists and is not empty: choose another folder, or deploy it with "AutoDev: Deploy Workspace" after opening it.`);
  }
  // Hardened like every git call: no prompts (a private repo must fail fast, not hang), no hooks (the user's
  // template hooks would run on checkout), no ext:: transport for submodule URLs the repository chose.
  const git = hardenedGit(parent, { signal, timeoutMs: 300_000 });
  try {
    await git.clone(url.trim(), target, ['--recurse-submodules']);
  } catch (err) {
    fs.rmSync(target, { recursive: true, force: true });
    if (signal?.aborted) throw new AutoDevError('Cancelled', 'Clone cancelled.');
    const text = err instanceof Error ? err.message : String(err);
    throw new AutoDevError('GitError', `Could not clone ${url}: ${text.split('\n').filter(Boolean).slice(-2).join(' ')}`);
  }
  return target;
}
