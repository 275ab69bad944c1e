/** The benchmark's figures, their targets and the printed table. One definition shared by the runner and README. */

/** Every key of bench/results/latest.json, in table order. Values are numbers, or null when a part could not run. */
export const BENCH_KEYS = [
  'detectLinesPerSec',
  'naiveRegexLinesPerSec',
  'detectCliLinesPerSec',
  'detectCliJsonLinesPerSec',
  'detectCliPeakRssMbOn1GB',
  'crashToEventMsP50',
  'crashToEventMsP95',
  'crashFinalMsP50',
  'pollingBaselineMsP50',
  'loggedCrashToEventMsP50',
  'pipelineLinesPerSec',
  'rawDockerLogsLinesPerSec',
  'pipelineVsRaw',
  'rawDockerRunLinesPerSec',
  'pipelineVsDockerRun',
  'restartToRunningMs',
  'rebuildRestartToRunningMs',
  'remoteRestartToRunningMs',
  'localRestartToRunningMs',
  'remoteVsLocalRestart',
  'mttrMachineMs',
  'webviewHeapMbAfter1MLines',
  'crashToCardMs',
  'extensionBundleKb',
  'webviewBundleKb',
  'activationMs',
  'proxyOverheadMsP50',
  'proxyDirectMsP50',
] as const;

export type BenchKey = (typeof BENCH_KEYS)[number];
export type BenchValues = Record<BenchKey, number | null>;

interface Target {
  op: '>=' | '<';
  value: number;
}

/** Targets from the issues (8, 6, 10, 18). The bench prints them; it never fails on them. */
export const TARGETS: Partial<Record<BenchKey, Target>> = {
  detectLinesPerSec: { op: '>=', value: 200_000 },
  detectCliLinesPerSec: { op: '>=', value: 1_000_000 },
  detectCliJsonLinesPerSec: { op: '>=', value: 300_000 },
  crashToEventMsP50: { op: '<', value: 5 },
  loggedCrashToEventMsP50: { op: '<', value: 5 },
  pipelineVsRaw: { op: '>=', value: 0.8 },
  pipelineVsDockerRun: { op: '>=', value: 0.9 },
  mttrMachineMs: { op: '<', value: 3_000 },
  webviewHeapMbAfter1MLines: { op: '<', value: 200 },
  crashToCardMs: { op: '<', value: 100 },
  extensionBundleKb: { op: '<', value: 1_024 },
  proxyOverheadMsP50: { op: '<', value: 1 },
};

/** What each figure is compared with, when it has a baseline measured in the same run. */
export const BASELINE_OF: Partial<Record<BenchKey, { key: BenchKey; better: 'higher' | 'lower'; label: string }>> = {
  detectLinesPerSec: { key: 'naiveRegexLinesPerSec', better: 'higher', label: 'naive regex' },
  crashToEventMsP50: { key: 'pollingBaselineMsP50', better: 'lower', label: '1 s polling' },
  pipelineLinesPerSec: { key: 'rawDockerLogsLinesPerSec', better: 'higher', label: 'docker logs -f' },
  remoteRestartToRunningMs: { key: 'localRestartToRunningMs', better: 'lower', label: 'local bind mount' },
};

/** "0.42× naive regex" (throughput) or "57× faster than 1 s polling" (latency); '' without a baseline. */
export function baselineText(key: BenchKey, values: BenchValues): string {
  const b = BASELINE_OF[key];
  const v = values[key];
  const base = b ? values[b.key] : null;
  if (!b || v === null || base === null || v <= 0 || base <= 0) return '';
  if (b.better === 'higher') return `${(v / base).toFixed(2)}× ${b.label}`;
  const f = base / v;
  return f >= 1 ? `${f >= 10 ? f.toFixed(0) : f.toFixed(1)}× faster than ${b.label}` : `${(1 / f).toFixed(1)}× slower than ${b.label}`;
}

export function emptyValues(): BenchValues {
  return Object.fromEntries(BENCH_KEYS.map((k) => [k, null])) as BenchValues;
}

export function targetText(key: BenchKey): string {
  const t = TARGETS[key];
  if (!t) return '';
  return `${t.op === '>=' ? '≥' : '<'} ${t.value.toLocaleString('en-US')}`;
}

/** ✓ / ✗ against the target, '' when there is no target, '?' when the figure is missing. */
export function verdict(key: BenchKey, value: number | null): string {
  const t = TARGETS[key];
  if (!t) return '';
  if (value === null) return '?';
  return (t.op === '>=' ? value >= t.value : value < t.value) ? '✓' : '✗';
}

export function formatValue(value: number | null): string {
  if (value === null) return 'n/a';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** A Markdown table (also readable in a terminal): figure, value, target, verdict, comparison with its baseline. */
export function renderTable(values: BenchValues): string {
  const rows = BENCH_KEYS.map((k) => [k, formatValue(values[k]), targetText(k), verdict(k, values[k]), baselineText(k, values)]);
  const head = ['figure', 'value', 'target', '', 'vs baseline (same run)'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i]].length)));
  const pad = (c: string, i: number) => (i === 1 ? c.padStart(widths[i]) : c + ' '.repeat(widths[i] - [...c].length));
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (i === 1 ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|')}|`;
  return [line(head), sep, ...rows.map(line)].join('\n');
}
