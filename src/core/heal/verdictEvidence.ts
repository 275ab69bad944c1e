/**
 * The evidence a verdict names, so a person can judge it: the line that shows a crash (with the container run that
 * wrote it) or the response a replayed request got. Every "failed" says which line or response it rests on.
 */
import type { CrashReport } from '../crash/crashReport';
import type { ReplayResponse } from '../replay/reproducer';

const MAX = 200;

function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > MAX ? `${one.slice(0, MAX - 1)}…` : one;
}

/** `run 2: "ZeroDivisionError: division by zero"` — the trace's last line (the exception), and its run when known. */
export function crashEvidence(crash: CrashReport): string {
  const lines = (crash.text ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  const last = lines.length ? lines[lines.length - 1] : `${crash.type}: ${crash.message}`;
  return `${crash.run !== undefined ? `run ${crash.run}: ` : ''}"${clip(last)}"`;
}

/** `500 "Internal Server Error"`, `no response (socket hang up)`: the status and the first line of the body. */
export function responseEvidence(r: ReplayResponse): string {
  if (r.status === null) return `no response (${r.error ?? 'connection closed'})`;
  const first = r.body.split('\n').map((l) => l.trim()).find(Boolean);
  return first ? `${r.status} "${clip(first)}"` : String(r.status);
}

/** A log line as evidence: `run 3: "Traceback (most recent call last):"`. */
export function lineEvidence(text: string, run?: number): string {
  return `${run !== undefined ? `run ${run}: ` : ''}"${clip(text)}"`;
}
