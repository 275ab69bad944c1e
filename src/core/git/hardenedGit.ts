/**
 * The one way AutoDev runs git. A workspace (or a model, or the app in its container) may have planted hooks,
 * `core.fsmonitor` or `:(glob)`-style file names: every call runs with hooks and fsmonitor off, literal pathspecs,
 * no editor, pager or prompt, and an explicit environment without variables that would point git elsewhere.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';

export interface HardenedGitOptions {
  /** The user opted in to their git hooks (trusted workspaces only): core.hooksPath is left as configured. */
  runHooks?: boolean;
  /** Extra `-c key=value` settings (e.g. a fallback identity). */
  config?: string[];
  /** Extra environment (e.g. GIT_INDEX_FILE for a temporary index). */
  env?: Record<string, string>;
  /** Bytes written to git's stdin. */
  input?: string | Buffer;
  signal?: AbortSignal;
  /** Milliseconds without output before the command is killed. */
  timeoutMs?: number;
}

/**
 * `-c` settings of every call: they switch off whatever git would otherwise execute on its own from repository
 * configuration or the working tree (hooks, the fsmonitor hook, editors, pagers, the `ext::` transport).
 */
export function hardenedGitConfig(runHooks = false): string[] {
  return [
    ...(runHooks ? [] : ['core.hooksPath=/dev/null']),
    'core.fsmonitor=false',
    'core.editor=:',
    'sequence.editor=:',
    'core.pager=cat',
    'protocol.ext.allow=never',
  ];
}

/** GIT_* variables a push or clone may legitimately need; others (GIT_DIR, GIT_INDEX_FILE…) would redirect git. */
const PASSED_GIT_ENV = ['GIT_TERMINAL_PROMPT', 'GIT_SSL_CAINFO', 'GIT_SSL_CAPATH', 'GIT_SSH_COMMAND', 'GIT_SSH'];
/** Never passed to git: editors, pagers and askpass helpers (no prompts, no UI from a background commit). */
const DROPPED_ENV = /^(EDITOR|VISUAL|PAGER|LESS|LESSOPEN|SSH_ASKPASS|PREFIX)$/i;

/**
 * The environment git runs with: the user's, minus variables that redirect git or start an editor/pager (npm sets
 * EDITOR, for one), plus no prompts (a push that needs credentials fails fast) and literal pathspecs.
 */
export function gitEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || DROPPED_ENV.test(k)) continue;
    if (k.startsWith('GIT_') && !PASSED_GIT_ENV.includes(k)) continue;
    env[k] = v;
  }
  env.GIT_TERMINAL_PROMPT = '0';
  env.GIT_LITERAL_PATHSPECS = '1';
  env.LC_ALL = 'C';
  return { ...env, ...extra };
}

/** A simple-git instance for `dir` whose every command is hardened as described above. */
export function hardenedGit(dir: string, opts: HardenedGitOptions = {}): SimpleGit {
  const env = gitEnvironment(opts.env);
  return simpleGit({
    baseDir: dir,
    config: [...hardenedGitConfig(opts.runHooks), ...(opts.config ?? [])],
    // simple-git refuses these settings by default because a caller could set them to a command; ours only ever
    // switch the feature off (or name no program at all).
    unsafe: { allowUnsafeHooksPath: true, allowUnsafeFsMonitor: true, allowUnsafeEditor: true, allowUnsafePager: true, allowUnsafeProtocolOverride: true },
    // Every key we pass is named here, so simple-git's guard (which rejects guarded keys passed explicitly) cannot
    // fail a command because of how the process was launched.
    allowEnvironment: Object.keys(env),
    timeout: { block: opts.timeoutMs ?? 120_000 },
    ...(opts.signal ? { abort: opts.signal } : {}),
    ...(opts.input !== undefined ? { input: () => opts.input } : {}),
  }).env(env);
}

/**
 * The hooks directory git would use in `dir` (`core.hooksPath` when set, else the git dir's hooks/), absolute;
 * null when `dir` is not in a repository or git is missing. Synchronous: the path policy needs it per check.
 */
export function configuredHooksDir(dir: string): string | null {
  try {
    const config = hardenedGitConfig(true).flatMap((c) => ['-c', c]);
    const out = execFileSync('git', [...config, 'rev-parse', '--git-path', 'hooks'], { cwd: dir, env: gitEnvironment(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
    const hooks = out.replace(/\n$/, '');
    return hooks ? path.resolve(dir, hooks) : null;
  } catch {
    return null;
  }
}
