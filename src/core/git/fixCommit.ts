/** Commits an accepted fix (exactly its hunks, optionally on a fix branch) and pushes it when asked. */
import type { CrashReport } from '../crash/crashReport';
import { AutoDevError, toAutoDevError } from '../errors';
import type { PendingPatch } from '../patch/pendingPatch';
import type { VerificationResult } from '../replay/replayResults';
import { buildCommitMessage } from './commitMessage';
import type { GitPort, GitSettings } from './gitPort';
import { fixBranchName } from './simpleGitPort';

export interface FixCommitInput {
  workspaceDir: string;
  crash: CrashReport;
  patch: PendingPatch;
  attempts: number;
  verification: VerificationResult;
  git: GitSettings;
  /** The trace and message are app output: masked before they reach git history (and a push). */
  mask: (text: string) => string;
}

/** What happened, in order: the commit, the push, and the error that stopped either (never thrown). */
export interface FixCommitResult {
  commit?: { sha: string; message: string; branch?: string };
  push?: { ok: boolean; message: string };
  error?: { code: string; message: string };
}

export async function commitFix(git: GitPort, input: FixCommitInput): Promise<FixCommitResult> {
  const message = input.mask(buildCommitMessage({ crash: input.crash, patch: input.patch, attempts: input.attempts, verification: input.verification }));
  const result: FixCommitResult = {};
  try {
    if (!(await git.isRepo(input.workspaceDir))) throw new AutoDevError('GitError', 'The workspace is not a git repository; the fix was applied but not committed.');
    const branch = input.git.branch === 'fix-branch' ? fixBranchName(input.crash.signature) : undefined;
    const sha = await git.commit(input.workspaceDir, input.patch.files, message, branch);
    result.commit = { sha, message, ...(branch ? { branch } : {}) };
    if (input.git.autoPush) {
      try {
        await git.push(input.workspaceDir);
        result.push = { ok: true, message: 'pushed to the upstream' };
      } catch (err) {
        const e = toAutoDevError(err);
        result.push = { ok: false, message: e.message };
        result.error = { code: e.code, message: e.message };
      }
    }
  } catch (err) {
    const e = toAutoDevError(err);
    result.error = { code: e.code, message: e.message };
  }
  return result;
}
