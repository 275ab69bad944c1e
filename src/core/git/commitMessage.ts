/** The commit message of an auto-fix: `🩹 Auto-fix: <Type> in <file>:<line>` and a body with the evidence. */
import type { CrashReport } from '../crash/crashReport';
import type { PendingPatch } from '../patch/pendingPatch';
import { evidenceLines } from '../replay/evidenceText';
import { reproducedByLine } from '../replay/reproducer';
import type { VerificationResult } from '../replay/replayResults';

/** Short type name for the subject: `java.lang.NullPointerException` → `NullPointerException`. */
function shortType(type: string): string {
  const parts = type.split('.');
  return parts[parts.length - 1] || type;
}

export function commitSubject(crash: CrashReport, patch: PendingPatch): string {
  const file = crash.userFrame?.workspaceFile ?? patch.files[0]?.path ?? crash.userFrame?.file ?? 'the app';
  const line = crash.userFrame?.line;
  return `🩹 Auto-fix: ${shortType(crash.type)} in ${file}${line ? `:${line}` : ''}`;
}

export interface CommitMessageInput {
  crash: CrashReport;
  patch: PendingPatch;
  attempts: number;
  verification: VerificationResult;
}

export function buildCommitMessage(input: CommitMessageInput): string {
  const { crash, patch, verification } = input;
  const body: string[] = [];
  body.push(`${crash.type}: ${crash.message}`.slice(0, 500));
  if (patch.summary) body.push('', patch.summary.slice(0, 1000));
  body.push('');
  body.push(`Signature: ${crash.signature}`);
  body.push(`Provider: ${patch.provider}${patch.model ? ` / ${patch.model}` : ''}`);
  body.push(`Attempts: ${input.attempts}`);
  body.push(`Verification: ${verification.passed ? 'passed' : 'failed'}`);
  for (const c of verification.checks) body.push(`  - ${c.passed ? 'ok' : 'FAILED'} ${c.name}: ${c.detail}`.slice(0, 300));
  if (verification.reproducer) body.push(reproducedByLine(verification.reproducer));
  if (verification.masks) body.push(`Masks-The-Error: ${verification.masks}`.slice(0, 300));
  const evidence = evidenceLines(verification);
  if (evidence.length) body.push('', ...evidence.map((l) => l.slice(0, 300)));
  const trace = (crash.text ?? '').split('\n').filter((l) => l.trim());
  if (trace.length) {
    body.push('', 'Trace:');
    const excerpt = trace.length > 20 ? [...trace.slice(0, 4), '    ...', ...trace.slice(-15)] : trace;
    for (const l of excerpt) body.push(`    ${l.slice(0, 300)}`);
  }
  return `${commitSubject(crash, patch)}\n\n${body.join('\n')}\n`;
}
