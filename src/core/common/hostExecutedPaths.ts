/**
 * Workspace paths that git, an editor, a package manager or CI executes or obeys on the host. Neither a model's
 * patch (the path policy) nor the app in its container (read-only mounts) may write them.
 */

/** Directory names (at any depth) whose content runs on the host or configures what runs there. */
export const HOST_EXECUTED_DIRS: readonly string[] = [
  '.git', // hooks, config (core.fsmonitor, core.sshCommand…)
  '.husky', // hook directories named by core.hooksPath
  '.githooks',
  '.vscode', // tasks, launch configurations, settings naming executables
  '.devcontainer',
  '.idea',
  '.github', // workflows, actions
  '.gitlab',
  '.circleci',
  '.buildkite',
  '.ci',
  '.autodev', // AutoDev's own settings
];

/** File names (in any directory) read by git, hook managers, package managers, direnv or CI on the host. */
export const HOST_EXECUTED_FILES: readonly string[] = [
  '.gitignore', // decides what `git add -A` picks up (a private key, .env)
  '.gitattributes', // filter and diff drivers, line endings
  '.gitmodules', // submodule URLs
  '.pre-commit-config.yaml',
  '.pre-commit-hooks.yaml',
  'lefthook.yml',
  'lefthook.yaml',
  '.lefthook.yml',
  '.lefthook.yaml',
  'lefthook-local.yml',
  '.envrc',
  '.npmrc', // node-options, script-shell
  '.yarnrc',
  '.yarnrc.yml', // yarnPath runs a script
  '.pnpmfile.cjs',
  '.gitlab-ci.yml',
  '.gitlab-ci.yaml',
  '.travis.yml',
  'azure-pipelines.yml',
  'jenkinsfile',
  'bitbucket-pipelines.yml',
  '.drone.yml',
  'appveyor.yml',
  '.autodev.json',
  'autodev.json',
  '.autodevrc',
];

const FILES = new Set(HOST_EXECUTED_FILES);
const DIRS = new Set(HOST_EXECUTED_DIRS);

/** Whether a single path segment (case-insensitive, as on macOS and Windows) names a host-executed directory. */
export function isHostExecutedDir(segment: string): boolean {
  return DIRS.has(segment.toLowerCase());
}

/** Whether a file name (case-insensitive) is host-executed configuration, including `*.code-workspace`. */
export function isHostExecutedFile(name: string): boolean {
  const lower = name.toLowerCase();
  return FILES.has(lower) || lower.endsWith('.code-workspace');
}
