/** Mission Control's layout: header with overrides, state banner, live log, and the incident panels. */
import { useEffect, useState } from 'preact/hooks';
import type { WebviewMessage } from '../src/protocol/messages';
import { AgentActivityPanel } from './agentActivity';
import { Controls } from './controls';
import { CrashCard } from './crashCard';
import { FixHistory } from './fixHistory';
import { formatCost } from './format';
import { LedgerPanel } from './ledgerPanel';
import type { LogFilter } from './logIndex';
import { LogView } from './logView';
import { MatrixRain } from './matrixRain';
import { PatchView } from './patchView';
import { StateBanner } from './stateBanner';
import type { Store, ViewModel } from './store';

function useView(store: Store): ViewModel {
  const [view, setView] = useState(store.current);
  useEffect(() => {
    setView(store.current);
    return store.onView(() => setView(store.current));
  }, [store]);
  return view;
}

export interface AppProps {
  store: Store;
  post(m: WebviewMessage): void;
  initialFilter: LogFilter;
  onFilterChange(filter: LogFilter): void;
}

export function App({ store, post, initialFilter, onFilterChange }: AppProps) {
  const v = useView(store);
  const [filter, setFilter] = useState(initialFilter);
  const changeFilter = (f: LogFilter) => {
    setFilter(f);
    onFilterChange(f);
  };
  return (
    <div class={`mc st-${v.state}`}>
      <header class="mc-header">
        <MatrixRain />
        <div class="brand">
          <span class="brand-mark">◢◤</span> AUTODEV <span class="brand-sub">// MISSION CONTROL</span>
        </div>
        <div class="header-meta">
          {v.workspaceName && <span class="meta">ws <b>{v.workspaceName}</b></span>}
          {v.engine && (
            <span class="meta engine" title="where the app runs">
              engine <b>{v.engine}</b>
            </span>
          )}
          {v.proxyUrl && (
            <span class="meta">
              proxy <code>{v.proxyUrl}</code>
            </span>
          )}
          <span class="meta">
            spend <b class="total-cost">{formatCost(v.costUsd)}</b>
          </span>
          {!v.synced && <span class="meta muted">connecting…</span>}
        </div>
        <Controls state={v.state} autoHealPaused={v.autoHealPaused} post={post} />
      </header>
      <StateBanner state={v.state} timeline={v.timeline} />
      <main class="mc-grid">
        <div class="col-log">
          <LogView store={store} filter={filter} onFilterChange={changeFilter} />
        </div>
        <div class="col-side">
          <CrashCard crash={v.crash} post={post} />
          <PatchView patch={v.patch} state={v.state} fixes={v.fixes} post={post} />
          <AgentActivityPanel activity={v.activity} ledger={v.ledger} costUsd={v.costUsd} />
          <LedgerPanel ledger={v.ledger} />
        </div>
        <div class="col-wide">
          <FixHistory fixes={v.fixes} post={post} />
        </div>
      </main>
    </div>
  );
}
