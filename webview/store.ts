/** The webview's model: applies host messages (full snapshots and deltas) and tells subscribers what changed. */
import type { HostMessage } from '../src/protocol/messages';
import { emptySnapshotState, reduceSnapshot, type SnapshotLimits, type SnapshotState } from '../src/protocol/snapshotReducer';
import { LogBuffer } from './logBuffer';

/** What the webview renders: the host's snapshot without its log tail (logs live in the LogBuffer). */
export interface ViewModel extends SnapshotState {
  /** False until the host's first snapshot arrives. */
  synced: boolean;
}

/** Caps on the lists kept in the webview; the host keeps its own (smaller) caps for snapshots. */
export const VIEW_LIMITS: Readonly<SnapshotLimits> = { timeline: 200, activity: 500, ledger: 200, fixes: 500 };

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
  return { synced: false, ...emptySnapshotState() };
}

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
    switch (msg.type) {
      case 'state/snapshot': {
        const lines = msg.snapshot.logs;
        this.logs.clear();
        this.logs.append(Array.isArray(lines) ? lines : []);
        this.bumpLogs();
        this.setView({ ...reduceSnapshot(this.view, msg, VIEW_LIMITS), synced: true });
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
      default:
        this.setView(reduceSnapshot(this.view, msg, VIEW_LIMITS));
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
