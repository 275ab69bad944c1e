/**
 * Whole-process throughput of `autodev detect` (the built CLI: startup, file reading, line splitting, scanning,
 * printing), on a plain-text and a JSON-lines log of 1M lines each, and its peak memory on a 1 GB log read from
 * stdin. Timed and measured by /usr/bin/time (elapsed, maximum RSS).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec, type BenchPart } from './benchContext';
import { median, round } from './benchStats';
import { generateJsonLog, generateLog } from './generatedLog';

async function timed(ctx: { repoRoot: string }, shell: string, feed = ''): Promise<{ seconds: number; cpuSeconds: number; rssMb: number; out: string }> {
  // GNU time prints "elapsed maxRSS(KiB) user sys" on stderr; the pipeline's stdout (the reports) is counted by wc.
  const out = await exec('sh', ['-c', `{ ${feed}/usr/bin/time -f 'TIME %e %M %U %S' ${shell} | wc -l; } 2>&1`], { cwd: ctx.repoRoot, timeoutMs: 9 * 60_000 });
  const m = /TIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(out);
  if (!m) throw new Error(`no timing from /usr/bin/time: ${out.slice(-300)}`);
  return { seconds: Number(m[1]), cpuSeconds: Number(m[3]) + Number(m[4]), rssMb: Number(m[2]) / 1024, out };
}

export const detectCliPart: BenchPart = {
  name: 'detectCli',
  keys: ['detectCliLinesPerSec', 'detectCliJsonLinesPerSec', 'detectCliPeakRssMbOn1GB'],
  docker: false,
  timeoutMs: 20 * 60_000,
  async run(ctx) {
    if (!existsSync('/usr/bin/time')) throw new Error('/usr/bin/time is not installed (Debian package `time`)');
    await exec(process.execPath, ['scripts/build.mjs'], { cwd: ctx.repoRoot, timeoutMs: 4 * 60_000 });
    const cli = join(ctx.repoRoot, 'dist', 'cli.js');
    const lines = ctx.size(1_000_000, 100_000);
    const reps = ctx.size(3, 1);
    const plain = generateLog(lines);
    const json = generateJsonLog(lines);
    const plainFile = join(ctx.tmp, 'plain.log');
    const jsonFile = join(ctx.tmp, 'json.log');
    writeFileSync(plainFile, plain.text);
    writeFileSync(jsonFile, json.text);
    const cpuRates: string[] = [];
    const rate = async (file: string, expected: number) => {
      const runs: number[] = [];
      for (let i = 0; i < reps; i++) {
        const r = await timed(ctx, `${process.execPath} ${cli} detect ${file}`);
        const reports = Number(r.out.trim().split('\n').pop());
        if (reports !== expected) ctx.note(`${file}: ${reports} reports for ${expected} crashes written`);
        runs.push(lines / r.seconds);
        cpuRates.push(`${Math.round(lines / r.cpuSeconds)}`);
      }
      return runs;
    };
    const plainRuns = await rate(plainFile, plain.crashCount);
    const jsonRuns = await rate(jsonFile, json.crashCount);
    const bytes = ctx.size(1024 ** 3, 100 * 1024 ** 2);
    const big = await timed(ctx, `${process.execPath} ${cli} detect -`, `${process.execPath} --import tsx bench/streamLog.ts ${bytes} | `);
    ctx.note(
      `whole process (node dist/cli.js detect FILE, startup included), ${lines} lines, ${reps} runs: plain ${plainRuns.map((v) => Math.round(v)).join(', ')} lines/s ` +
        `(${plain.crashCount} crashes), JSON lines ${jsonRuns.map((v) => Math.round(v)).join(', ')} lines/s (${json.crashCount} records with a stack); ` +
        `${Math.round(bytes / 1024 ** 2)} MiB through stdin in ${big.seconds} s, peak RSS ${big.rssMb.toFixed(0)} MiB; ` +
        `per CPU second (user + sys, plain runs then JSON runs; less sensitive to other load on the machine): ${cpuRates.join(', ')} lines`,
    );
    return {
      detectCliLinesPerSec: round(median(plainRuns), 0),
      detectCliJsonLinesPerSec: round(median(jsonRuns), 0),
      detectCliPeakRssMbOn1GB: round(big.rssMb, 1),
    };
  },
};
