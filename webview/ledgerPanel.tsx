/** "Sent to model": every outbound request as recorded before it left — files, log lines, redactions, tokens, cost. */
import type { LedgerRecordDto as LedgerRecord } from '../src/protocol/dtos';
import { formatClock, formatCost, formatCount } from './format';

export function LedgerPanel({ ledger }: { ledger: LedgerRecord[] }) {
  const recent = ledger.slice(-20).reverse();
  return (
    <section class="panel ledger-panel" aria-label="Sent to model">
      <h2 class="panel-title">▌SENT TO MODEL <span class="muted small">{ledger.length} request{ledger.length === 1 ? '' : 's'}</span></h2>
      {recent.length === 0 ? (
        <p class="muted">nothing has left this machine</p>
      ) : (
        <ul class="ledger-list">
          {recent.map((r) => {
            const redactions = Object.entries(r.redactions ?? {}).filter(([, n]) => n > 0);
            return (
              <li key={r.id}>
                <details>
                  <summary>
                    <span class="muted">{formatClock(r.at)}</span> <b>{r.provider}</b>/{r.model} · #{r.attempt} ·{' '}
                    {formatCount(r.tokens.prompt)}+{formatCount(r.tokens.completion)} tok · {formatCost(r.costUsd)}
                  </summary>
                  <div class="ledger-body">
                    {r.baseUrl && <div>endpoint <code>{r.baseUrl}</code></div>}
                    <div>
                      files:{' '}
                      {r.files.length ? r.files.map((f) => <code class="file-chip">{`${f.path}:${f.lines[0]}-${f.lines[1]}`}</code>) : 'none'}
                    </div>
                    <div>log lines: {r.logLines}</div>
                    <div>
                      redactions:{' '}
                      {redactions.length
                        ? redactions.map(([kind, n]) => <span class="chip redaction">{`${kind}×${n}`}</span>)
                        : 'none'}
                    </div>
                    {r.payload && <pre class="ledger-payload">{r.payload.slice(0, 20_000)}</pre>}
                  </div>
                </details>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
