/** `AutoDev: Deploy Repository…`: clones a git URL into a chosen folder with simple-git (no prompts, cancellable). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { simpleGit } from 'simple-git';
import { AutoDevError } from '../core/errors';

const PASSED_GIT_ENV = ['GIT_TERMINAL_PROMPT', 'GIT_SSL_CAINFO', 'GIT_SSL_CAPATH', 'GIT_SSH_COMMAND', 'GIT_SSH'];

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
  // No prompts (a private repo must fail fast, not hang), and only the GIT_* variables a clone may need: others
  // (GIT_DIR, GIT_WORK_TREE…) would point git somewhere else. simple-git refuses unknown ones unless allowed.
  // Editors/pagers/askpass helpers are dropped too (npm sets EDITOR); every key passed is named in allowEnvironment.
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(EDITOR|VISUAL|PAGER|LESS|LESSOPEN|SSH_ASKPASS|PREFIX)$/i.test(k)) continue;
    if (k.startsWith('GIT_') && !PASSED_GIT_ENV.includes(k)) continue;
    env[k] = v;
  }
  env.GIT_TERMINAL_PROMPT = '0';
  const git = simpleGit({ baseDir: parent, abort: signal, timeout: { block: 300_000 }, allowEnvironment: Object.keys(env) }).env(env);
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
