/**
 * Detection throughput on one core, run as its own process (pinned with taskset by detectThroughput.ts):
 * our detector vs the original system's per-line regex over the same generated 1M-line log.
 * Usage: node --import tsx bench/detectProbe.ts LINES REPS → one JSON line.
 */
import { scanText } from '../src/core/crash/scanText';
import { CrashScanner } from '../src/core/crash/crashScanner';
import { generateLog } from './generatedLog';
import { median } from './benchStats';

/** The original dashboard's detector: three Python error names, matched on every line. */
const NAIVE = /\b(?:ZeroDivisionError|KeyError|TypeError)\b/;

function naiveScan(text: string): number {
  let hits = 0;
  for (const line of text.split('\n')) if (NAIVE.test(line)) hits++;
  return hits;
}

function streamScan(lines: string[]): number {
  const scanner = new CrashScanner({ quietMs: 250 });
  let n = 0;
  scanner.onCrash(() => n++);
  for (const line of lines) scanner.push(line, 'stderr');
  scanner.flush();
  return n;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

const [lineArg, repArg] = process.argv.slice(2);
const lineCount = Number(lineArg ?? 1_000_000);
const reps = Number(repArg ?? 3);
const log = generateLog(lineCount);
const lines = log.text.slice(0, -1).split('\n');

// Warm-up on a slice so the JIT has seen every path before the clock runs.
const warm = log.text.slice(0, Math.min(log.text.length, 2_000_000));
scanText(warm);
naiveScan(warm);

const ours: number[] = [];
const naive: number[] = [];
const stream: number[] = [];
let reports = 0;
let naiveHits = 0;
let streamReports = 0;
for (let i = 0; i < reps; i++) {
  const a = time(() => scanText(log.text));
  ours.push(lineCount / (a.ms / 1000));
  reports = a.value.length;
  const b = time(() => naiveScan(log.text));
  naive.push(lineCount / (b.ms / 1000));
  naiveHits = b.value;
  const c = time(() => streamScan(lines));
  stream.push(lineCount / (c.ms / 1000));
  streamReports = c.value;
}
process.stdout.write(
  JSON.stringify({
    lineCount,
    traceLines: log.traceLineCount,
    crashes: log.crashCount,
    detectLinesPerSec: median(ours),
    naiveRegexLinesPerSec: median(naive),
    streamLinesPerSec: median(stream),
    reports,
    streamReports,
    naiveHits,
    runs: { ours, naive, stream },
  }) + '\n',
);
