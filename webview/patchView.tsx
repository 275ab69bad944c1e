/** The proposed patch: coloured diff (as text), its verification result, and Accept / Reject. */
import type { FixDto as FixRecord } from '../src/protocol/dtos';
import type { VerificationDto as VerificationResult } from '../src/protocol/dtos';
import type { HealState, PatchDto } from '../src/protocol/dtos';
import type { WebviewMessage } from '../src/protocol/messages';
import { classifyDiffLine, diffStat } from './diffLines';
import { formatCost, formatCount } from './format';

const MAX_DIFF_LINES = 2000;

export function PatchView({ patch, state, fixes, post }: { patch: PatchDto | null; state: HealState; fixes: FixRecord[]; post(m: WebviewMessage): void }) {
  if (!patch) return null;
  const p = patch.patch;
  const fix = fixes.find((f) => f.id === p.id);
  const decided = fix && fix.status !== 'proposed';
  const canDecide = state === 'REVIEW' && !decided;
  const lines = p.diff.split('\n');
  const stat = diffStat(p.diff);
  return (
    <section class="panel patch-panel" aria-label="Proposed patch">
      <h2 class="panel-title">
        ▌PATCH <span class="muted small">{p.files.map((f) => f.path).join(', ')}</span>
        <span class="diffstat">
          <span class="d-add">+{stat.added}</span> <span class="d-del">−{stat.removed}</span>
        </span>
        {decided && <span class={`badge status-${fix!.status}`}>{fix!.status}</span>}
      </h2>
      <p class="patch-summary">{p.summary}</p>
      <p class="muted small">
        {p.provider}/{p.model} · attempt {p.attempt} · {formatCount(p.promptTokens)}+{formatCount(p.completionTokens)} tok · {formatCost(p.costUsd ?? null)}
      </p>
      <Verification v={patch.verification} />
      <pre class="diff" aria-label="Diff">
        {lines.slice(0, MAX_DIFF_LINES).map((l, i) => (
          <div key={i} class={`diff-line d-${classifyDiffLine(l)}`}>
            {l || ' '}
          </div>
        ))}
        {lines.length > MAX_DIFF_LINES && <div class="diff-line d-hunk">… {lines.length - MAX_DIFF_LINES} more lines</div>}
      </pre>
      <div class="actions">
        <button type="button" class="btn primary accept" disabled={!canDecide} onClick={() => post({ type: 'fix/accept', patchId: p.id })}>
          ✔ Accept
        </button>
        <button type="button" class="btn danger reject" disabled={!canDecide} onClick={() => post({ type: 'fix/reject', patchId: p.id })}>
          ✘ Reject
        </button>
        {!canDecide && !decided && <span class="muted small">review opens in state REVIEW</span>}
      </div>
    </section>
  );
}

/** The badge in the words the loop uses: verified, unverified (nothing reproduced the crash), refused; masking flagged. */
function verdictBadge(v: VerificationResult): { text: string; tone: string } {
  if (v.unverified) return { text: 'UNVERIFIED', tone: 'warn' };
  if (!v.passed) return { text: 'REFUSED', tone: 'danger' };
  return v.masks ? { text: 'VERIFIED · MASKS THE ERROR', tone: 'warn' } : { text: 'VERIFIED', tone: 'ok' };
}

export function Verification({ v }: { v: VerificationResult }) {
  const r = v.reproducer;
  const badge = verdictBadge(v);
  return (
    <div class={`verification ${v.passed ? 'passed' : 'failed'}`}>
      <div class="verification-head">
        <span class={`badge ${badge.tone}`}>{badge.text}</span>
        {r && (
          <span class="reproducer">
            reproducer <code>{r.description}</code>
            {r.before !== undefined && (
              <>
                {' '}
                <span class="before">{r.before}</span> → <span class="after">{r.after ?? '?'}</span>
              </>
            )}
            {!r.reproduced && r.note ? <span class="muted"> ({r.note})</span> : null}
          </span>
        )}
      </div>
      {v.unverified && <p class="unverified">unverified: the crash could not be reproduced in the scratch copy, so nothing proves this patch; it is not applied or committed automatically.</p>}
      {v.masks && <p class="masks">masks the error: {v.masks}</p>}
      <Evidence v={v} />
      <ul class="checks">
        {v.checks.map((c) => (
          <li class={c.passed ? 'ok' : 'err'}>
            <span class="check-mark">{c.passed ? '✓' : '✗'}</span> <b>{c.name}</b> <span class="muted">{c.detail}</span>
          </li>
        ))}
      </ul>
      {v.outputTail && v.outputTail.length > 0 && (
        <details>
          <summary>scratch run output ({v.outputTail.length} lines)</summary>
          <pre class="output-tail">{v.outputTail.join('\n')}</pre>
        </details>
      )}
    </div>
  );
}

/** The crashing request and the differential sample, unpatched and patched answers side by side. */
function Evidence({ v }: { v: VerificationResult }) {
  const e = v.evidence;
  if (!e || (!e.crash && !e.samples.length && !e.output)) return null;
  const rows = [...(e.crash ? [{ label: 'crashing request', ...e.crash, differences: e.crash.verdict === 'ok' ? [] : [e.crash.detail] }] : []), ...e.samples.map((s) => ({ label: s.differences.length ? 'changed' : 'unchanged', ...s }))];
  return (
    <div class="evidence" aria-label="Evidence">
      {rows.length > 0 && (
        <table class="evidence-pairs">
          <thead>
            <tr>
              <th>request</th>
              <th>unpatched</th>
              <th>patched</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i} class={row.differences.length ? 'changed' : 'same'}>
                <td>
                  <span class="muted small">{row.label}</span> <code>{row.request}</code>
                  {row.differences.length > 0 && <div class="differences">{row.differences.join('; ')}</div>}
                </td>
                <td>
                  <code>{row.before}</code>
                </td>
                <td>
                  <code>{row.after}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {e.output && (
        <p class="muted small">
          output before the crash point ({e.output.lines} lines): {e.output.difference ?? 'printed the same'}
        </p>
      )}
    </div>
  );
}
