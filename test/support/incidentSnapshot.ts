/** The webview snapshot of the sample incident in REVIEW (verified patch waiting), for Mission Control tests. */
import type { Snapshot } from '../../src/protocol/dtos';
import { T0, sampleActivity, sampleCrash, sampleFixes, sampleLedger, sampleLogs, samplePatch } from '../webview/sampleIncident';

/** The whole incident, DEPLOYING → REVIEW, as the host's `state/snapshot` carries it; `over` replaces fields. */
export function incidentSnapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    state: 'REVIEW',
    timeline: [
      { state: 'DEPLOYING', at: T0 - 2100 },
      { state: 'RUNNING', at: T0 },
      { state: 'CRASHED', at: T0 + 4200 },
      { state: 'FIXING', at: T0 + 4300 },
      { state: 'VERIFYING', at: T0 + 7300 },
      { state: 'REVIEW', at: T0 + 9100, reason: 'verified patch waiting for your review' },
    ],
    logs: sampleLogs(),
    crash: sampleCrash(),
    activity: sampleActivity,
    ledger: sampleLedger,
    patch: samplePatch('patch-1'),
    fixes: sampleFixes(),
    autoHealPaused: false,
    workspaceName: 'flask-demo',
    proxyUrl: 'http://127.0.0.1:41234',
    engine: 'Docker (local)',
    costUsd: 0.0012,
    ...over,
  };
}
