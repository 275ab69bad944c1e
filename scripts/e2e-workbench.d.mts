// Types of scripts/e2e-workbench.mjs for the TypeScript tests that import it.
export declare const repoRoot: string;
export declare const chromiumPath: string;
export interface Kit { home: string; node: string; serverMain: string; codeServerEntry: string }
export declare function ensureKit(): Kit;
export declare function freePort(): Promise<number>;
export interface Server { kind: 'vscode' | 'code-server'; url: string; port: number; pid: number; dataDir: string; logFile: string; stop(): Promise<void> }
export declare function startServer(opts?: { kind?: 'vscode' | 'code-server'; dataDir?: string; folder?: string; trusted?: boolean; env?: Record<string, string>; port?: number; logFile?: string }): Promise<Server>;
export declare function installVsix(vsix: string, dataDir: string): string;
export declare function packageVsix(outFile?: string): string;
export interface ExampleWorkspace { root: string; dir: string; remote: string | null; cleanup(): void }
export declare function makeWorkspaceFromFiles(name: string, files: Record<string, string>, opts?: { settings?: Record<string, unknown>; bareRemote?: boolean }): ExampleWorkspace;
export declare function makeExampleWorkspace(name: string, opts?: { settings?: Record<string, unknown>; bareRemote?: boolean }): ExampleWorkspace;
export declare function launchChromium(): Promise<import('playwright-core').Browser>;
export interface SuiteSummary { passed: number; failed: number; pending: number; tests: { title: string; state: string; error?: string; ms?: number }[] }
export declare function runExtensionHostTests(opts: { folder: string; trusted?: boolean; grep?: string; invert?: boolean; label?: string; timeoutMs?: number; resultsDir?: string; env?: Record<string, string> }): Promise<{ code: number | 'timeout'; summary: SuiteSummary | null; serverLog: string; console: string[] }>;
export declare function removeWorkspaceContainers(dir: string): void;
