/**
 * Throughput of our live pipeline (attach → demux → split → crash scan) against `docker logs -f | wc -l`, on the
 * same container printing 2M lines of 80 bytes. Runs alternate so both see the same machine load.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CrashScanner } from '../src/core/crash/crashScanner';
import type { ContainerSession } from '../src/core/runtime/containerRuntime';
import { abortable, exec, type BenchContext, type BenchPart } from './benchContext';
import { buildApp, startApp, writeApp } from './benchApps';
import { median, round, sleep } from './benchStats';

/**
 * Prints `count` lines of exactly 80 bytes (79 + newline), in blocks, then stays up: `docker logs -f` stops following
 * when the container exits, before it has caught up, so the app must outlive the slowest reader.
 */
const PRINTER = `import sys, time
count = int(open("/app/count.txt").read())
pad = "x" * 70
out = sys.stdout
block = 2000
for start in range(0, count, block):
    out.write("".join("%08d %s\\n" % (i, pad) for i in range(start, min(count, start + block))))
out.flush()
time.sleep(3600)
`;

/** Our side: restart the container (attach, then start) and consume every line through the crash scanner. */
async function pipelineRun(ctx: BenchContext, session: ContainerSession, count: number): Promise<number> {
  const scanner = new CrashScanner({ quietMs: 250 }); // HealSession's quiet period
  let crashes = 0;
  scanner.onCrash(() => crashes++);
  let seen = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const sub = session.onLine((line) => {
    if (line.stream === 'system') return;
    scanner.push(line.text, line.stream);
    if (++seen === count) resolveDone();
  });
  const t0 = performance.now();
  try {
    await session.restart();
    await abortable(done, ctx.signal);
  } finally {
    sub.dispose();
  }
  const ms = performance.now() - t0;
  scanner.flush();
  if (crashes) ctx.note(`pipeline: scanner reported ${crashes} crash(es) in plain output (false positives)`);
  return ms;
}

/**
 * Baseline: start the same container without attaching and follow its log with the Docker CLI. `head -n COUNT` ends
 * the pipe at the last line (the app keeps running), and `wc -l` counts what arrived.
 */
async function rawRun(ctx: BenchContext, id: string, count: number): Promise<{ ms: number; lines: number }> {
  const since = (Date.now() / 1000 - 0.05).toFixed(3);
  const t0 = performance.now();
  await exec('docker', ['start', id], { timeoutMs: 60_000 });
  const lines = await abortable(
    new Promise<number>((resolve, reject) => {
      const child = spawn('sh', ['-c', `docker logs -f --since ${since} ${id} 2>&1 | head -n ${count} | wc -l`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(Number.parseInt(out.trim(), 10)) : reject(new Error(`docker logs | head | wc exited ${code}`))));
    }),
    ctx.signal,
  );
  const ms = performance.now() - t0;
  if (lines !== count) throw new Error(`docker logs -f delivered ${lines} of ${count} lines`);
  return { ms, lines };
}

export const pipelinePart: BenchPart = {
  name: 'pipeline',
  keys: ['pipelineLinesPerSec', 'rawDockerLogsLinesPerSec', 'pipelineVsRaw'],
  docker: true,
  timeoutMs: 15 * 60_000,
  async run(ctx) {
    const count = ctx.size(2_000_000, 200_000);
    const reps = ctx.size(3, 1);
    const dir = writeApp(ctx, 'printer', { 'app.py': PRINTER, 'count.txt': '1' });
    const { runtime, image } = await buildApp(ctx, dir);
    const session = await startApp(runtime, image, dir);
    try {
      // First run prints one line: the container exists, the image is warm.
      await sleep(1000);
      writeFileSync(join(dir, 'count.txt'), String(count));
      const ours: number[] = [];
      const raw: number[] = [];
      for (let i = 0; i < reps; i++) {
        const ms = await pipelineRun(ctx, session, count);
        ours.push(count / (ms / 1000));
        ctx.log(`pipeline run ${i + 1}: ${count} lines in ${Math.round(ms)} ms`);
        await exec('docker', ['stop', '-t', '1', session.id], { timeoutMs: 60_000 });
        const r = await rawRun(ctx, session.id, count);
        raw.push(r.lines / (r.ms / 1000));
        ctx.log(`raw run ${i + 1}: ${r.lines} lines in ${Math.round(r.ms)} ms`);
        await exec('docker', ['stop', '-t', '1', session.id], { timeoutMs: 60_000 });
      }
      const pipelineLinesPerSec = median(ours);
      const rawDockerLogsLinesPerSec = median(raw);
      ctx.note(
        `${reps} alternating runs of ${count} lines × 80 B; each timed from the (re)start request to the last line ` +
          `consumed. pipeline ${ours.map((v) => Math.round(v)).join(', ')} lines/s; raw ${raw.map((v) => Math.round(v)).join(', ')} lines/s`,
      );
      return {
        pipelineLinesPerSec,
        rawDockerLogsLinesPerSec,
        pipelineVsRaw: pipelineLinesPerSec && rawDockerLogsLinesPerSec ? round(pipelineLinesPerSec / rawDockerLogsLinesPerSec, 3) : null,
      };
    } finally {
      await session.stop().catch(() => undefined);
      await exec('docker', ['rmi', '-f', image.tag]).catch(() => undefined);
    }
  },
};
