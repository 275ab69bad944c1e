/**
 * `npm run bench`: measures the heal loop and its baselines in one run on one machine, writes
 * bench/results/latest.json (+ latest-meta.json) and prints a table. Never fails on a target.
 *   BENCH_QUICK=1       small sizes, few repetitions (for developing a measurement)
 *   BENCH_ONLY=a,b      run only the named parts (see PARTS)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { exec, type BenchContext, type BenchPart } from './benchContext';
import { BENCH_KEYS, emptyValues, renderTable, type BenchKey, type BenchValues } from './benchResults';
import { round } from './benchStats';
/**
 * Parts load lazily: one whose subject does not exist or fails to load records null for its keys and says why,
 * and the rest still run.
 */
interface PartEntry {
  name: string;
  keys: readonly BenchKey[];
  load: () => Promise<BenchPart>;
}

/** Loaded by path (tsx compiles it) so a part whose subject is not written yet cannot stop the others. */
async function loadPart(file: string, exported: string): Promise<BenchPart> {
  const mod = require(join(__dirname, file)) as Record<string, BenchPart | undefined>;
  const part = mod[exported];
  if (!part) throw new Error(`bench/${file}.ts does not export ${exported}`);
  return part;
}

const PARTS: PartEntry[] = [
  { name: 'detect', keys: ['detectLinesPerSec', 'naiveRegexLinesPerSec'], load: () => loadPart('detectThroughput', 'detectPart') },
  { name: 'detectCli', keys: ['detectCliLinesPerSec', 'detectCliJsonLinesPerSec', 'detectCliPeakRssMbOn1GB'], load: () => loadPart('detectCli', 'detectCliPart') },
  { name: 'crash', keys: ['crashToEventMsP50', 'crashToEventMsP95', 'crashFinalMsP50', 'pollingBaselineMsP50', 'loggedCrashToEventMsP50'], load: () => loadPart('crashLatency', 'crashLatencyPart') },
  { name: 'pipeline', keys: ['pipelineLinesPerSec', 'rawDockerLogsLinesPerSec', 'pipelineVsRaw', 'rawDockerRunLinesPerSec', 'pipelineVsDockerRun'], load: () => loadPart('pipelineThroughput', 'pipelinePart') },
  { name: 'restart', keys: ['restartToRunningMs', 'rebuildRestartToRunningMs'], load: () => loadPart('restartLatency', 'restartPart') },
  { name: 'remoteRestart', keys: ['remoteRestartToRunningMs', 'localRestartToRunningMs', 'remoteVsLocalRestart'], load: () => loadPart('remoteRestart', 'remoteRestartPart') },
  { name: 'mttr', keys: ['mttrMachineMs'], load: () => loadPart('mttr', 'mttrPart') },
  { name: 'proxy', keys: ['proxyOverheadMsP50', 'proxyDirectMsP50'], load: () => loadPart('proxyOverhead', 'proxyPart') },
  { name: 'webview', keys: ['webviewHeapMbAfter1MLines', 'crashToCardMs'], load: () => loadPart('webviewHeap', 'webviewPart') },
  { name: 'bundle', keys: ['extensionBundleKb', 'webviewBundleKb', 'activationMs'], load: () => loadPart('extensionBundle', 'bundlePart') },
];

interface PartReport {
  seconds: number;
  notes: string[];
  error?: string;
}

async function machine(): Promise<Record<string, string | number>> {
  const osName = (() => {
    try {
      return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'unknown';
    } catch {
      return 'unknown';
    }
  })();
  const docker = await exec('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 10_000 }).catch(() => 'unavailable');
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${osName}, Linux ${release()}`,
    node: process.version,
    docker,
  };
}

async function dockerReachable(): Promise<string | null> {
  try {
    await exec('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 15_000 });
    return null;
  } catch (err) {
    return `Docker engine not reachable (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
  }
}

async function main(): Promise<void> {
  const repoRoot = resolve(__dirname, '..');
  process.chdir(repoRoot);
  const quick = process.env.BENCH_QUICK === '1';
  const only = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only.filter((n) => !PARTS.some((p) => p.name === n));
  if (unknown.length) {
    console.error(`bench: unknown part(s) ${unknown.join(', ')}; parts: ${PARTS.map((p) => p.name).join(', ')}`);
    process.exit(2);
  }
  const parts = only.length ? PARTS.filter((p) => only.includes(p.name)) : PARTS;
  const values: BenchValues = emptyValues();
  const reports: Record<string, PartReport> = {};
  const tmpRoot = mkdtempSync(join(tmpdir(), 'autodev-bench-'));
  const noDocker = await dockerReachable();
  const started = Date.now();

  for (const entry of parts) {
    const notes: string[] = [];
    const report: PartReport = { seconds: 0, notes };
    reports[entry.name] = report;
    const log = (m: string) => process.stderr.write(`[bench:${entry.name}] ${m}\n`);
    let part: BenchPart;
    try {
      part = await entry.load();
    } catch (err) {
      report.error = `could not load the part: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
      log(report.error);
      continue;
    }
    if (part.docker && noDocker) {
      notes.push(noDocker);
      report.error = noDocker;
      log(`skipped: ${noDocker}`);
      continue;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`${part.name} ran out of time (${part.timeoutMs / 1000} s)`)), part.timeoutMs);
    const tmp = mkdtempSync(join(tmpRoot, `${part.name}-`));
    const ctx: BenchContext = {
      quick,
      repoRoot,
      tmp,
      signal: controller.signal,
      log,
      note: (m) => {
        notes.push(m);
        log(m);
      },
      size: (full, small) => (quick ? small : full),
    };
    const t0 = performance.now();
    log('running');
    try {
      // A part that ignores its signal still ends at its time limit (its keys stay null).
      const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }));
      const got = await Promise.race([part.run(ctx), aborted]);
      for (const key of part.keys) {
        const v = got[key];
        values[key] = typeof v === 'number' && Number.isFinite(v) ? v : null;
        if (values[key] === null) log(`${key}: not measured`);
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      report.error = message;
      log(`failed: ${message}`);
    } finally {
      clearTimeout(timer);
      report.seconds = round((performance.now() - t0) / 1000, 1) ?? 0;
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  rmSync(tmpRoot, { recursive: true, force: true });

  const rounded = Object.fromEntries(BENCH_KEYS.map((k) => [k, round(values[k], 3)])) as BenchValues;
  const outDir = join(repoRoot, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  if (!only.length) writeFileSync(join(outDir, 'latest.json'), JSON.stringify(rounded, null, 2) + '\n');
  const meta = { date: new Date().toISOString(), quick, only, seconds: Math.round((Date.now() - started) / 1000), machine: await machine(), parts: reports };
  writeFileSync(join(outDir, only.length ? 'partial-meta.json' : 'latest-meta.json'), JSON.stringify(meta, null, 2) + '\n');
  if (only.length) writeFileSync(join(outDir, 'partial.json'), JSON.stringify(rounded, null, 2) + '\n');

  const m = meta.machine;
  console.log(`\nAutoDev benchmarks${quick ? ' (BENCH_QUICK: small sizes, not comparable)' : ''} — ${meta.date}`);
  console.log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, Docker ${m.docker}\n`);
  console.log(renderTable(rounded));
  const missing = Object.entries(reports).filter(([, r]) => r.error);
  if (missing.length) {
    console.log('\nnot measured:');
    for (const [name, r] of missing) console.log(`  ${name}: ${r.error}`);
  }
  console.log(`\nwritten: bench/results/${only.length ? 'partial' : 'latest'}.json, bench/results/${only.length ? 'partial' : 'latest'}-meta.json`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
