/**
 * The evidence of a verification in plain text, the same lines everywhere it is shown: the commit body, the CLI, the
 * notification. The crashing request and the differential sample, each before and after the patch, side by side.
 */
import type { VerificationResult } from './replayResults';

/** The verdict in the words people see: "verified", "verified, but it masks the error", "unverified", "refused". */
export function verdictWords(v: VerificationResult): string {
  if (v.unverified) return 'unverified: the crash could not be reproduced, so nothing proves this patch';
  if (!v.passed) return 'refused by verification';
  return v.masks ? `verified, but it masks the error (${v.masks})` : 'verified: reproduced before the patch, passed after it, and what worked still answers the same';
}

/** Indented evidence lines (empty when there is none), at most `maxSamples` differential samples. */
export function evidenceLines(v: VerificationResult, maxSamples = 5): string[] {
  const e = v.evidence;
  if (!e) return [];
  const out: string[] = [];
  const pair = (label: string, p: { request: string; before: string; after: string }) => {
    out.push(`  ${label}: ${p.request}`);
    out.push(`    before: ${p.before}`);
    out.push(`    after:  ${p.after}`);
  };
  if (e.crash) {
    pair('crashing request', e.crash);
    if (e.crash.verdict !== 'ok') out.push(`    ${e.crash.verdict === 'masks' ? 'masks the error' : 'refused'}: ${e.crash.detail}`);
  }
  const changed = e.samples.filter((s) => s.differences.length);
  const same = e.samples.filter((s) => !s.differences.length);
  for (const s of changed.slice(0, maxSamples)) {
    pair('changed', s);
    out.push(`    differences: ${s.differences.join('; ')}`);
  }
  for (const s of same.slice(0, Math.max(0, maxSamples - changed.length))) pair('unchanged', s);
  const left = e.samples.length - Math.min(e.samples.length, maxSamples);
  if (left > 0) out.push(`  … ${left} more earlier request${left === 1 ? '' : 's'} replayed`);
  if (e.output) out.push(`  output before the crash point (${e.output.lines} line${e.output.lines === 1 ? '' : 's'}): ${e.output.difference ?? 'printed the same'}`);
  return out.length ? ['Evidence (unpatched → patched scratch copy):', ...out] : [];
}
