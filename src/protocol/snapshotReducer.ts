/**
 * The one reducer of Mission Control's state: the host applies each message it sends to its own snapshot, the
 * webview applies each message it receives to its view, so both hold the same state by construction. Log lines are
 * not part of it (the host keeps a bounded ring, the webview a LogBuffer): log messages leave the state unchanged.
 */
import type { Snapshot } from './dtos';
import type { HostMessage } from './messages';

/** The snapshot without its log tail. */
export type SnapshotState = Omit<Snapshot, 'logs'>;

/** How many entries each list keeps (the oldest go first). */
export interface SnapshotLimits {
  timeline: number;
  activity: number;
  ledger: number;
  fixes: number;
}

export function emptySnapshotState(workspaceName: string | null = null): SnapshotState {
  return {
    state: 'IDLE', timeline: [], crash: null, activity: [], ledger: [], patch: null, fixes: [],
    autoHealPaused: false, workspaceName, proxyUrl: null, engine: null, costUsd: 0,
  };
}

const tail = <T>(list: T[], max: number): T[] => (list.length > max ? list.slice(list.length - max) : list);

/** `s` after `msg`; fields of `s` that are not the snapshot's (e.g. the webview's `synced`) are kept. */
export function reduceSnapshot<S extends SnapshotState>(s: S, msg: HostMessage, limits: SnapshotLimits): S {
  switch (msg.type) {
    case 'state/snapshot': {
      // From the wire: tolerate a host that omits fields.
      const n = msg.snapshot;
      return {
        ...s,
        state: n.state ?? 'IDLE',
        timeline: tail(n.timeline ?? [], limits.timeline),
        crash: n.crash ?? null,
        activity: tail(n.activity ?? [], limits.activity),
        ledger: tail(n.ledger ?? [], limits.ledger),
        patch: n.patch ?? null,
        fixes: tail(n.fixes ?? [], limits.fixes),
        autoHealPaused: !!n.autoHealPaused,
        workspaceName: n.workspaceName ?? null,
        proxyUrl: n.proxyUrl ?? null,
        engine: typeof n.engine === 'string' ? n.engine : null,
        costUsd: n.costUsd ?? 0,
      };
    }
    case 'logs/didAppend':
    case 'logs/didClear':
      return s;
    case 'state/didChange':
      return { ...s, state: msg.state, timeline: tail([...s.timeline, { state: msg.state, at: msg.at, reason: msg.reason }], limits.timeline) };
    case 'crash/didDetect':
      return { ...s, crash: msg.crash };
    case 'crash/didClear':
      return { ...s, crash: null };
    case 'agent/didAct':
      return { ...s, activity: tail([...s.activity, msg.activity], limits.activity) };
    case 'ledger/didRecord':
      return { ...s, ledger: tail([...s.ledger, msg.record], limits.ledger), costUsd: s.costUsd + (msg.record.costUsd ?? 0) };
    case 'patch/didPropose':
      return { ...s, patch: msg.patch };
    case 'patch/didClear':
      return { ...s, patch: null };
    case 'fix/didUpdate': {
      const i = s.fixes.findIndex((f) => f.id === msg.fix.id);
      const fixes = i >= 0 ? s.fixes.map((f, j) => (j === i ? msg.fix : f)) : tail([...s.fixes, msg.fix], limits.fixes);
      return { ...s, fixes };
    }
    case 'proxy/didChange':
      return { ...s, proxyUrl: msg.url };
    case 'engine/didChange':
      return { ...s, engine: typeof msg.engine === 'string' ? msg.engine : null };
    case 'autoHeal/didChange':
      return { ...s, autoHealPaused: msg.paused };
  }
}
