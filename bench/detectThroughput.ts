/**
 * Detection throughput: runs bench/detectProbe.ts in a child process pinned to one CPU (taskset) with a
 * single-threaded GC, so the figure is what one core does.
 */
import { join } from 'node:path';
import { exec, type BenchPart } from './benchContext';
import { round } from './benchStats';

interface ProbeResult {
  lineCount: number;
  traceLines: number;
  crashes: number;
  detectLinesPerSec: number;
  naiveRegexLinesPerSec: number;
  streamLinesPerSec: number;
  reports: number;
  streamReports: number;
  naiveHits: number;
}

export const detectPart: BenchPart = {
  name: 'detect',
  keys: ['detectLinesPerSec', 'naiveRegexLinesPerSec'],
  docker: false,
  timeoutMs: 10 * 60_000,
  async run(ctx) {
    const lines = ctx.size(1_000_000, 100_000);
    const reps = ctx.size(5, 2);
    const node = [process.execPath, '--single-threaded-gc', '--max-old-space-size=4096', '--import', 'tsx', join(ctx.repoRoot, 'bench', 'detectProbe.ts'), String(lines), String(reps)];
    const pinned = await exec('taskset', ['-c', '0', 'true']).then(() => true, () => false);
    if (!pinned) ctx.note('taskset is not available: the probe ran unpinned (one JS thread, single-threaded GC)');
    const out = await exec(pinned ? 'taskset' : node[0], pinned ? ['-c', '0', ...node] : node.slice(1), { cwd: ctx.repoRoot, timeoutMs: 9 * 60_000 });
    const r = JSON.parse(out.split('\n').pop()!) as ProbeResult;
    ctx.note(
      `${r.lineCount} lines (${r.traceLines} in ${r.crashes} traces, Python and Node), median of ${reps}, pinned to CPU 0: ` +
        `scanText ${Math.round(r.detectLinesPerSec)} lines/s → ${r.reports} crash reports; CrashScanner.push per line ` +
        `${Math.round(r.streamLinesPerSec)} lines/s → ${r.streamReports}; naive regex ${Math.round(r.naiveRegexLinesPerSec)} lines/s → ${r.naiveHits} matching lines`,
    );
    return { detectLinesPerSec: round(r.detectLinesPerSec, 0), naiveRegexLinesPerSec: round(r.naiveRegexLinesPerSec, 0) };
  },
};
