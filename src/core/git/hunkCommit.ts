/**
 * The commit boundary: an auto-fix commit holds exactly the fix's hunks. The fix is merged into HEAD's version of
 * each file inside a temporary index and committed from there, so the user's uncommitted edits — even in the same
 * file — stay uncommitted in the working tree, and whatever they staged stays staged. Nothing here reads the
 * working tree: a file name such as `:(glob)**` or an emptied `.gitignore` cannot widen the commit.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { SimpleGit } from 'simple-git';
import { AutoDevError } from '../errors';
import type { PatchFile } from '../patch/pendingPatch';
import { hardenedGit, type HardenedGitOptions } from './hardenedGit';

interface TreeEntry {
  mode: string;
  sha: string;
}

const ZERO_SHA = '0'.repeat(40);

export interface FixCommitOptions extends Pick<HardenedGitOptions, 'runHooks' | 'config'> {
  /** Commit on this branch (created at HEAD when missing; switched to with the working tree as it is). */
  branch?: string;
}

/**
 * Commits the hunks of `files` (workspace-relative; `original` → `patched` as the fix computed them) on top of
 * HEAD in the repository holding `workspaceDir`; returns the new commit's sha. Throws GitError when a fix hunk
 * overlaps uncommitted edits of the same lines (nothing is committed then; the working tree is never touched).
 */
export async function commitFixHunks(workspaceDir: string, files: readonly PatchFile[], message: string, opts: FixCommitOptions = {}): Promise<string> {
  const probe = hardenedGit(workspaceDir, opts);
  const top = (await probe.raw(['rev-parse', '--show-toplevel'])).trim();
  const prefix = (await probe.raw(['rev-parse', '--show-prefix'])).trim();
  const user = new Repo(top, opts);
  const git = user.git();
  if (opts.branch) await switchBranch(git, opts.branch);
  const head = await revParse(git, 'HEAD');
  const scratch = await mkdtemp(path.join(tmpdir(), 'autodev-commit-'));
  try {
    const temp = new Repo(top, { ...opts, env: { GIT_INDEX_FILE: path.join(scratch, 'index') } });
    const staging = temp.git();
    await staging.raw(head ? ['read-tree', head] : ['read-tree', '--empty']);
    const merger = new HunkMerger(user, scratch);
    const updates: { repoPath: string; before: TreeEntry | null; after: TreeEntry | null }[] = [];
    for (const f of files) {
      const repoPath = path.posix.join(prefix, f.path);
      const before = head ? await treeEntry(git, head, repoPath) : null;
      const after = await merger.fixOnto(repoPath, before, f);
      updates.push({ repoPath, before, after });
    }
    await updateIndex(temp, updates.map((u) => ({ repoPath: u.repoPath, entry: u.after })));
    const commitArgs = ['commit', '--quiet', '--no-edit', '--cleanup=verbatim', '-m', message];
    if (!opts.runHooks) commitArgs.splice(1, 0, '--no-verify');
    try {
      await staging.raw(commitArgs);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      if (/nothing to commit|no changes added/i.test(text)) {
        throw new AutoDevError('GitError', 'Nothing to commit: HEAD already holds this fix.', text);
      }
      throw err;
    }
    const sha = (await revParse(git, 'HEAD'))!;
    await syncUserIndex(user, merger, updates);
    return sha;
  } finally {
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Switches HEAD to `branch` (created at HEAD when missing); git carries the working tree and index along. */
async function switchBranch(git: SimpleGit, branch: string): Promise<void> {
  const current = (await git.raw(['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => '')).trim();
  if (current === branch) return;
  const exists = await revParse(git, `refs/heads/${branch}`);
  await git.raw(exists ? ['checkout', '--quiet', branch, '--'] : ['checkout', '--quiet', '-b', branch]);
}

async function revParse(git: SimpleGit, rev: string): Promise<string | null> {
  const out = await git.raw(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]).catch(() => '');
  return out.trim() || null;
}

/** The blob entry of `repoPath` in `commit`, or null when absent. A tree or submodule there is refused. */
async function treeEntry(git: SimpleGit, commit: string, repoPath: string): Promise<TreeEntry | null> {
  const out = await git.raw(['ls-tree', '-z', '--full-tree', commit, '--', repoPath]);
  const rec = out.split('\0').find((r) => r.endsWith(`\t${repoPath}`));
  if (!rec) return null;
  const [meta] = rec.split('\t');
  const [mode, type, sha] = meta.split(' ');
  if (type !== 'blob') throw new AutoDevError('GitError', `${repoPath} is a ${type === 'commit' ? 'submodule' : 'directory'} in HEAD; the fix cannot be committed as a file there.`);
  return { mode, sha };
}

/** One repository top-level and the options (index, hooks, identity) every command on it runs with. */
class Repo {
  constructor(
    readonly top: string,
    private readonly opts: HardenedGitOptions,
  ) {}

  /** A hardened git for this repository; `input` goes to the command's stdin. */
  git(input?: string | Buffer): SimpleGit {
    return hardenedGit(this.top, input === undefined ? this.opts : { ...this.opts, input });
  }
}

/** Sets (or, for null, removes) index entries; paths travel NUL-terminated, never as pathspecs. */
async function updateIndex(repo: Repo, entries: { repoPath: string; entry: TreeEntry | null }[]): Promise<void> {
  const input = entries.map((e) => (e.entry ? `${e.entry.mode} ${e.entry.sha}\t${e.repoPath}\0` : `0 ${ZERO_SHA}\t${e.repoPath}\0`)).join('');
  await repo.git(input).raw(['update-index', '-z', '--index-info']);
}

/** Three-way merges a fix's hunks onto other versions of a file, through git's own merge (blobs in repo form). */
class HunkMerger {
  private n = 0;

  constructor(
    private readonly repo: Repo,
    private readonly scratch: string,
  ) {}

  /** HEAD's entry with the fix applied (null: the fix deletes the file). */
  async fixOnto(repoPath: string, head: TreeEntry | null, f: PatchFile): Promise<TreeEntry | null> {
    if (f.patched === null || f.patched === undefined) return null;
    // The fix's texts are working-tree form: store them as `git add` would (line-ending rules of .gitattributes).
    const patched = await this.store(f.patched, repoPath);
    if (!head) return { mode: '100644', sha: patched };
    const original = f.original === null ? await this.store('', repoPath) : await this.store(f.original, repoPath);
    if (original === head.sha) return { mode: head.mode, sha: patched };
    const merged = await this.merge(head.sha, original, patched);
    if (merged === null) {
      throw new AutoDevError(
        'GitError',
        `The fix changes lines of ${repoPath} that also have uncommitted edits; nothing was committed (the fix is in the working tree). Commit or stash your edits, then commit the fix yourself.`,
      );
    }
    return { mode: head.mode, sha: merged };
  }

  /**
   * `ours` with the change base → theirs applied; null on overlapping edits. The conflict labels carry a random
   * nonce, so file content cannot imitate a conflict (or hide one).
   */
  async merge(ours: string, base: string, theirs: string): Promise<string | null> {
    if (base === theirs) return ours;
    if (ours === base) return theirs;
    const nonce = randomBytes(8).toString('hex');
    const files = await Promise.all(
      [ours, base, theirs].map(async (sha, i) => {
        const file = path.join(this.scratch, `merge-${this.n}-${i}`);
        await writeFile(file, await this.repo.git().binaryCatFile(['blob', sha]));
        return file;
      }),
    );
    this.n++;
    const labels = ['ours', 'base', 'theirs'].flatMap((l) => ['-L', `${l}-${nonce}`]);
    const out = await this.repo.git().raw(['merge-file', '-p', ...labels, ...files]).catch((err: Error) => {
      // Exit status = number of conflicts; with -p the merged text (markers included) is still the output.
      throw new AutoDevError('GitError', `merging the fix into HEAD's version failed: ${err.message}`);
    });
    if (out.includes(`<<<<<<< ours-${nonce}`)) return null;
    return this.store(out, null);
  }

  /** Writes a blob; with a path, converted as `git add` would for that path (no path: stored as given). */
  async store(text: string, repoPath: string | null): Promise<string> {
    const args = ['hash-object', '-w', '--stdin', ...(repoPath === null ? ['--no-filters'] : [`--path=${repoPath}`])];
    return (await this.repo.git(text).raw(args)).trim();
  }
}

/**
 * After the commit, the user's index must not show the fix as a staged reversal: an entry that matched the old
 * HEAD gets the new one; an entry the user had staged gets the fix merged in when that merges cleanly (else it is
 * left as they staged it). Best effort: the commit is already made.
 */
async function syncUserIndex(user: Repo, merger: HunkMerger, updates: { repoPath: string; before: TreeEntry | null; after: TreeEntry | null }[]): Promise<void> {
  const entries: { repoPath: string; entry: TreeEntry | null }[] = [];
  for (const u of updates) {
    const staged = await indexEntry(user.git(), u.repoPath).catch(() => undefined);
    if (staged === undefined) continue;
    if ((staged === null && u.before === null) || (staged && u.before && staged.sha === u.before.sha)) {
      entries.push({ repoPath: u.repoPath, entry: u.after });
    } else if (staged && u.before && u.after) {
      const merged = await merger.merge(staged.sha, u.before.sha, u.after.sha).catch(() => null);
      if (merged) entries.push({ repoPath: u.repoPath, entry: { mode: staged.mode, sha: merged } });
    }
  }
  if (entries.length) await updateIndex(user, entries).catch(() => undefined);
}

/** The user's index entry of `repoPath` (stage 0), or null when not in the index. */
async function indexEntry(git: SimpleGit, repoPath: string): Promise<TreeEntry | null> {
  const out = await git.raw(['ls-files', '-z', '--stage', '--full-name', '--', repoPath]);
  const rec = out.split('\0').find((r) => r.endsWith(`\t${repoPath}`));
  if (!rec) return null;
  const [mode, sha] = rec.split('\t')[0].split(' ');
  return { mode, sha };
}
