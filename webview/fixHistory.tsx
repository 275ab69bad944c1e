/** Fix history: each fix with its status and MTTR (crash → healed), and the overall mean. */
import type { FixDto as FixRecord } from '../src/protocol/dtos';
import type { WebviewMessage } from '../src/protocol/messages';
import { formatClock, formatDuration, meanMttr } from './format';

export function FixHistory({ fixes, post }: { fixes: FixRecord[]; post(m: WebviewMessage): void }) {
  const mean = meanMttr(fixes);
  const healed = fixes.filter((f) => typeof f.mttrMs === 'number').length;
  const rows = fixes.slice(-50).reverse();
  return (
    <section class="panel history-panel" aria-label="Fix history">
      <h2 class="panel-title">
        ▌FIX HISTORY
        <span class="stat" title="mean time to repair (crash → healed)">
          MTTR <b class="mttr-overall">{formatDuration(mean)}</b>
        </span>
        <span class="muted small">
          {healed}/{fixes.length} healed
        </span>
      </h2>
      {rows.length === 0 ? (
        <p class="muted">no fixes yet</p>
      ) : (
        <table class="history">
          <thead>
            <tr>
              <th>time</th>
              <th>crash</th>
              <th>where</th>
              <th>status</th>
              <th>MTTR</th>
              <th>model</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((f) => (
              <tr key={f.id} class={`fix status-${f.status}`} title={f.reason ?? f.summary}>
                <td class="muted">{formatClock(f.crashedAt)}</td>
                <td class="fix-type">{f.crashType}</td>
                <td>
                  {f.file ? (
                    <button type="button" class="link" onClick={() => post({ type: 'file/open', file: f.file!, line: f.line })}>
                      {f.file}
                      {f.line !== null ? `:${f.line}` : ''}
                    </button>
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  <span class={`badge status-${f.status}`}>{f.status}</span>
                  {f.commit ? <code class="commit"> {f.commit.slice(0, 7)}</code> : null}
                </td>
                <td class="mttr">{formatDuration(f.mttrMs)}</td>
                <td class="muted small">
                  {f.model} ×{f.attempts}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
