/** Agent activity: each tool call the model makes as it happens, plus tokens and cost from the ledger. */
import type { AgentActivityDto as AgentActivity, LedgerRecordDto as LedgerRecord } from '../src/protocol/dtos';
import { formatClock, formatCost, formatCount } from './format';

function describeArgs(args: AgentActivity['args']): string {
  if (typeof args === 'string') return args;
  const path = typeof args.path === 'string' ? args.path : null;
  if (path) return path;
  if (typeof args.summary === 'string') return args.summary;
  try {
    return JSON.stringify(args);
  } catch {
    return '';
  }
}

export function AgentActivityPanel({ activity, ledger, costUsd }: { activity: AgentActivity[]; ledger: LedgerRecord[]; costUsd: number }) {
  const prompt = ledger.reduce((n, r) => n + (r.tokens?.prompt ?? 0), 0);
  const completion = ledger.reduce((n, r) => n + (r.tokens?.completion ?? 0), 0);
  const recent = activity.slice(-40);
  return (
    <section class="panel agent-panel" aria-label="Agent activity">
      <h2 class="panel-title">
        ▌AGENT
        <span class="stat">{formatCount(prompt)}↑ {formatCount(completion)}↓ tok</span>
        <span class="stat cost">{formatCost(costUsd)}</span>
      </h2>
      {recent.length === 0 ? (
        <p class="muted">no tool calls yet</p>
      ) : (
        <ol class="activity-list">
          {recent.map((a, i) => (
            <li key={`${a.at}-${i}`} class={a.ok ? 'ok' : 'err'}>
              <span class="act-time">{formatClock(a.at)}</span>
              <span class="act-attempt">#{a.attempt}</span>
              <span class="act-tool">{a.tool}</span>
              <span class="act-args">{describeArgs(a.args)}</span>
              <span class="act-result" title={a.result}>
                {a.ok ? '✓' : '✗'} {a.result.split('\n')[0]}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
