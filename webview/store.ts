/** The webview's model: applies host messages (full snapshots and deltas) and tells subscribers what changed. */
import type { HostMessage } from '../src/protocol/messages';
import type { Snapshot } from '../src/protocol/dtos';
import { LogBuffer } from './logBuffer';

/** What the webview renders: the host's snapshot without its log tail (logs live in the LogBuffer). */
export interface ViewModel extends Omit<Snapshot, 'logs'> {
  /** False until the host's first snapshot arrives. */
  synced: boolean;
}

/** Caps on the lists kept in the webview; the host keeps its own (smaller) caps for snapshots. */
export const VIEW_LIMITS = { timeline: 200, activity: 500, ledger: 200, fixes: 500 } as const;

const HOST_TYPES = new Set<HostMessage['type']>([
  'state/snapshot', 'logs/didAppend', 'logs/didClear', 'state/didChange', 'crash/didDetect', 'crash/didClear', 'agent/didAct',
  'ledger/didRecord', 'patch/didPropose', 'patch/didClear', 'fix/didUpdate', 'proxy/didChange', 'engine/didChange', 'autoHeal/didChange',
]);

/** Cheap shape check: anything else arriving on `message` (extensions, devtools, other frames) is ignored. */
export function isHostMessage(raw: unknown): raw is HostMessage {
  if (!raw || typeof raw !== 'object') return false;
  const m = raw as { type?: unknown; lines?: unknown; snapshot?: unknown };
  if (typeof m.type !== 'string' || !HOST_TYPES.has(m.type as HostMessage['type'])) return false;
  if (m.type === 'logs/didAppend') return Array.isArray(m.lines);
  if (m.type === 'state/snapshot') return !!m.snapshot && typeof m.snapshot === 'object';
  return true;
}

export function emptyView(): ViewModel {
  return {
    synced: false, state: 'IDLE', timeline: [], crash: null, activity: [], ledger: [], patch: null, fixes: [],
    autoHealPaused: false, workspaceName: null, proxyUrl: null, engine: null, costUsd: 0,
  };
}

const tail = <T>(list: T[], max: number): T[] => (list.length > max ? list.slice(list.length - max) : list);

export class Store {
  readonly logs: LogBuffer;
  private view: ViewModel = emptyView();
  private readonly viewListeners = new Set<() => void>();
  private readonly logListeners = new Set<() => void>();
  /** Bumped whenever lines are appended or cleared. */
  logVersion = 0;

  constructor(logCapacity = 1_000_000) {
    this.logs = new LogBuffer(logCapacity);
  }

  get current(): ViewModel {
    return this.view;
  }

  onView(fn: () => void): () => void {
    this.viewListeners.add(fn);
    return () => this.viewListeners.delete(fn);
  }

  onLogs(fn: () => void): () => void {
    this.logListeners.add(fn);
    return () => this.logListeners.delete(fn);
  }

  apply(msg: HostMessage): void {
    const v = this.view;
    switch (msg.type) {
      case 'state/snapshot': {
        const s = msg.snapshot;
        this.logs.clear();
        this.logs.append(Array.isArray(s.logs) ? s.logs : []);
        this.bumpLogs();
        this.setView({
          synced: true,
          state: s.state ?? 'IDLE',
          timeline: tail(s.timeline ?? [], VIEW_LIMITS.timeline),
          crash: s.crash ?? null,
          activity: tail(s.activity ?? [], VIEW_LIMITS.activity),
          ledger: tail(s.ledger ?? [], VIEW_LIMITS.ledger),
          patch: s.patch ?? null,
          fixes: tail(s.fixes ?? [], VIEW_LIMITS.fixes),
          autoHealPaused: !!s.autoHealPaused,
          workspaceName: s.workspaceName ?? null,
          proxyUrl: s.proxyUrl ?? null,
          engine: typeof s.engine === 'string' ? s.engine : null,
          costUsd: s.costUsd ?? 0,
        });
        return;
      }
      case 'logs/didAppend':
        this.logs.append(msg.lines);
        this.bumpLogs();
        return;
      case 'logs/didClear':
        this.logs.clear();
        this.bumpLogs();
        return;
      case 'state/didChange':
        this.setView({
          ...v,
          state: msg.state,
          timeline: tail([...v.timeline, { state: msg.state, at: msg.at, reason: msg.reason }], VIEW_LIMITS.timeline),
        });
        return;
      case 'crash/didDetect':
        this.setView({ ...v, crash: msg.crash });
        return;
      case 'crash/didClear':
        this.setView({ ...v, crash: null });
        return;
      case 'agent/didAct':
        this.setView({ ...v, activity: tail([...v.activity, msg.activity], VIEW_LIMITS.activity) });
        return;
      case 'ledger/didRecord':
        this.setView({
          ...v,
          ledger: tail([...v.ledger, msg.record], VIEW_LIMITS.ledger),
          costUsd: v.costUsd + (msg.record.costUsd ?? 0),
        });
        return;
      case 'patch/didPropose':
        this.setView({ ...v, patch: msg.patch });
        return;
      case 'patch/didClear':
        this.setView({ ...v, patch: null });
        return;
      case 'fix/didUpdate': {
        const i = v.fixes.findIndex((f) => f.id === msg.fix.id);
        const fixes = i >= 0 ? v.fixes.map((f, j) => (j === i ? msg.fix : f)) : tail([...v.fixes, msg.fix], VIEW_LIMITS.fixes);
        this.setView({ ...v, fixes });
        return;
      }
      case 'proxy/didChange':
        this.setView({ ...v, proxyUrl: msg.url });
        return;
      case 'engine/didChange':
        this.setView({ ...v, engine: typeof msg.engine === 'string' ? msg.engine : null });
        return;
      case 'autoHeal/didChange':
        this.setView({ ...v, autoHealPaused: msg.paused });
        return;
    }
  }

  private setView(next: ViewModel): void {
    this.view = next;
    for (const fn of [...this.viewListeners]) fn();
  }

  private bumpLogs(): void {
    this.logVersion++;
    for (const fn of [...this.logListeners]) fn();
  }
}
