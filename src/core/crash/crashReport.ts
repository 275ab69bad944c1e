/** The shape of one detected crash. `autodev detect` prints these as NDJSON; other tools rely on it. */
import type { RuntimeLanguage } from './runtimeRegistry';

/** A runtime from the registry, or `process` for a crash without a trace (signal, OOM kill). */
export type CrashLanguage = RuntimeLanguage | 'process';

export interface StackFrame {
  /** The path as printed by the runtime (file:// URLs may be normalised to paths). */
  file: string;
  line: number | null;
  function: string | null;
  /** Workspace-relative path when the frame maps into the workspace; absent when it maps nowhere. */
  workspaceFile?: string;
  /** True for frames in the app's own code (not stdlib, site-packages, node_modules, runtime internals). */
  user?: boolean;
}

export interface CrashReport {
  language: CrashLanguage;
  /** The name as the runtime prints it: `ZeroDivisionError`, `java.lang.NullPointerException`, `panic`, `OOMKilled`, `Signal`. */
  type: string;
  message: string;
  /** Innermost first. */
  frames: StackFrame[];
  /** Innermost frame in the user's own code; `workspaceFile` set when it maps to a workspace file. */
  userFrame: { file: string; line: number | null; workspaceFile?: string; function?: string | null } | null;
  /** type + user function + user file, no line numbers: groups repeats of the same crash. */
  signature: string;
  /** 1-based line numbers of the first and last line of the trace in the scanned stream. */
  lines: [number, number];
  /** The raw trace text (ANSI stripped), for prompts and the crash card. */
  text?: string;
  /** Java `Caused by:` chain, .NET inner exceptions, Python's chained exceptions: outermost first. */
  causes?: { type: string; message: string }[];
  /** For a trace that came inside a structured (JSON) log record: what the record said besides the stack. */
  record?: { level?: string; logger?: string; message?: string };
  /** The container run whose lines hold the trace (see LogLine.run), when the scanner was told runs. */
  run?: number;
}
