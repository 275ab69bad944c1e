/** Turns a parsed trace into a CrashReport: marks user frames, maps paths, picks the user frame, signs it. */
import type { CrashReport, StackFrame } from './crashReport';
import { isUserFrame } from './runtimeRegistry';
import type { PathMapper } from './pathMapper';
import type { RawTrace } from './traceParser';

/** Builds reports; remembers which mapped files exist so a long log does not stat the same file again. */
export class ReportBuilder {
  private readonly exists = new Map<string, boolean>();

  constructor(private readonly pathMapper?: PathMapper) {}

  build(t: RawTrace): CrashReport {
    const frames = t.frames.map((f) => this.mark(t, f));
    // A chain's root cause holds the bug when it has user code (Java, .NET); else the thrown exception's frames.
    let user: StackFrame | undefined;
    for (const list of t.causeFrames ?? []) {
      user = this.pick(list.map((f) => this.mark(t, f)));
      if (user) break;
    }
    user ??= this.pick(frames);
    let userFrame: CrashReport['userFrame'] = null;
    if (user) userFrame = { file: user.file, line: user.line, workspaceFile: user.workspaceFile, function: user.function };
    if (t.hint && t.hint.file) {
      const hint = this.mark(t, { file: t.hint.file, line: t.hint.line, function: null });
      // A primary hint (Rust's `panicked at`) is the user frame when it is user code; otherwise hints fill a gap.
      if (hint.user && (t.hint.primary || !userFrame)) {
        const fn = frames.find((f) => f.file.endsWith(hint.file) && f.line === hint.line)?.function ?? userFrame?.function ?? null;
        userFrame = { file: hint.file, line: hint.line, workspaceFile: hint.workspaceFile, function: t.hint.primary ? fn : null };
      }
    }
    if (userFrame && userFrame.workspaceFile === undefined) delete userFrame.workspaceFile;
    const sigFile = userFrame ? (userFrame.workspaceFile ?? userFrame.file) : '';
    const sigFn = userFrame?.function ? simplifyFunction(userFrame.function) : '';
    const report: CrashReport = {
      language: t.language,
      type: t.type,
      message: t.message,
      frames,
      userFrame,
      signature: `${t.type}|${sigFn}|${sigFile}`,
      lines: [t.first, t.last],
      text: t.text.join('\n'),
    };
    if (t.causes) report.causes = t.causes;
    return report;
  }

  private mark(t: RawTrace, f: StackFrame): StackFrame {
    const out: StackFrame = { file: f.file, line: f.line, function: f.function };
    const ws = this.pathMapper?.toWorkspace(f.file);
    if (ws !== undefined) out.workspaceFile = ws;
    out.user = isUserFrame(t.language, f);
    return out;
  }

  /** Innermost user frame; with a mapper, prefer one whose file is in the workspace (and exists there). */
  private pick(frames: StackFrame[]): StackFrame | undefined {
    const users = frames.filter((f) => f.user);
    if (!users.length) return undefined;
    if (this.pathMapper) {
      const mapped = users.filter((f) => f.workspaceFile !== undefined);
      if (mapped.length) {
        if (this.pathMapper.exists) {
          const present = mapped.find((f) => this.fileExists(f.workspaceFile!));
          if (present) return present;
        }
        return mapped[0];
      }
    }
    return users[0];
  }

  private fileExists(rel: string): boolean {
    let known = this.exists.get(rel);
    if (known === undefined) {
      known = this.pathMapper?.exists?.(rel) ?? false;
      this.exists.set(rel, known);
    }
    return known;
  }
}

/** Argument lists and closure suffixes change between runs of the same crash (Go `(...)`, Rust hashes). */
function simplifyFunction(fn: string): string {
  return fn.replace(/\(\.\.\.\)$/, '').replace(/::\{\{closure\}\}.*$/, '');
}
