/** The subset of the built-in git extension's API (extensions/git/src/api/git.d.ts, version 1) that AutoDev uses. */
import type * as vscode from 'vscode';

export interface GitCommit {
  readonly hash: string;
  readonly message: string;
  readonly parents: string[];
}

export interface GitBranch {
  readonly name?: string;
  readonly commit?: string;
  readonly upstream?: { readonly remote: string; readonly name: string };
  readonly ahead?: number;
  readonly behind?: number;
}

export interface GitChange {
  readonly uri: vscode.Uri;
}

export interface GitRepositoryState {
  readonly HEAD: GitBranch | undefined;
  readonly remotes: readonly { readonly name: string; readonly pushUrl?: string; readonly fetchUrl?: string }[];
  readonly indexChanges: GitChange[];
  readonly workingTreeChanges: GitChange[];
  readonly onDidChange: vscode.Event<void>;
}

export interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly state: GitRepositoryState;
  add(paths: string[]): Promise<void>;
  commit(message: string, opts?: { all?: boolean | 'tracked' }): Promise<void>;
  createBranch(name: string, checkout: boolean, ref?: string): Promise<void>;
  checkout(treeish: string): Promise<void>;
  getBranch(name: string): Promise<GitBranch>;
  push(remoteName?: string, branchName?: string, setUpstream?: boolean): Promise<void>;
  log(options?: { maxEntries?: number; path?: string }): Promise<GitCommit[]>;
  status(): Promise<void>;
}

export interface GitApi {
  readonly state: 'uninitialized' | 'initialized';
  readonly onDidChangeState: vscode.Event<'uninitialized' | 'initialized'>;
  readonly repositories: GitRepository[];
  getRepository(uri: vscode.Uri): GitRepository | null;
  openRepository(root: vscode.Uri): Promise<GitRepository | null>;
}

export interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}

/** Error codes the git extension puts on its errors (`gitErrorCode`), the ones push can fail with. */
export const GIT_ERROR_CODES = {
  PushRejected: 'PushRejected',
  NoRemoteRepositorySpecified: 'NoRemoteRepositorySpecified',
  NoUpstreamBranch: 'NoUpstreamBranch',
  AuthenticationFailed: 'AuthenticationFailed',
  RemoteConnectionError: 'RemoteConnectionError',
} as const;
