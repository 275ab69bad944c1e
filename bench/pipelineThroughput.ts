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
import { benchSettings, buildApp, startApp, writeApp } from './benchApps';
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
 * Baseline: a twin of our container (same image, command, bind mount and limits), started with `docker run -d` and
 * followed with the Docker CLI; `head -n COUNT` ends the pipe at the last line (the app keeps running) and `wc -l`
 * counts what arrived. The twin logs through Docker's default json-file driver: with the `local` driver our runtime
 * uses, `docker logs -f` on this engine (20.10) repeated or lost lines around file rotation (213,084 or 26,168 lines
 * for 200,000 printed), and `--since` on a restarted container did the same, so it gets a fresh twin per run.
 */
async function rawRun(ctx: BenchContext, tag: string, dir: string, count: number, mode: 'logs' | 'attach'): Promise<{ ms: number; lines: number }> {
  const t0 = performance.now();
  const name = `autodev-bench-raw-${process.pid}-${Date.now()}`;
  const twin = ['--name', name, '--label', 'autodev.bench=1', '--log-driver', 'json-file',
    '--cpus', '2', '--memory', '512m', '--pids-limit', '256', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--init',
    '-e', 'PYTHONUNBUFFERED=1', '-v', `${dir}:/app`, '-w', '/app', tag];
  // `wc` prints once `head` has closed the pipe; the docker CLI only notices at its next write, which never comes
  // from an idle app, so the clock stops at wc's output and the whole pipeline (its own process group) is killed.
  let command: string;
  if (mode === 'logs') {
    const id = await exec('docker', ['run', '-d', ...twin], { timeoutMs: 60_000 });
    command = `docker logs -f ${id} 2>&1 | head -n ${count} | wc -l`;
  } else {
    // The docker CLI attached in the foreground (no TTY: the multiplexed stream, demuxed by the CLI).
    command = `docker run --rm ${twin.map((a) => `'${a}'`).join(' ')} 2>&1 | head -n ${count} | wc -l`;
  }
  const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    const lines = await abortable(
      new Promise<number>((resolve, reject) => {
        let out = '';
        timer = setTimeout(() => reject(new Error(`${mode === 'logs' ? 'docker logs -f' : 'docker run'} had not delivered ${count} lines after 180 s`)), 180_000);
        child.stdout!.on('data', (d) => {
          out += d;
          if (out.includes('\n')) resolve(Number.parseInt(out.trim(), 10));
        });
        child.on('error', reject);
        child.on('exit', (code) => reject(new Error(`${command} exited ${code} before printing a count`)));
      }),
      ctx.signal,
    );
    const ms = performance.now() - t0;
    if (lines !== count) throw new Error(`${mode === 'logs' ? 'docker logs -f' : 'docker run'} delivered ${lines} of ${count} lines`);
    return { ms, lines };
  } finally {
    clearTimeout(timer);
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    await exec('docker', ['rm', '-f', name]).catch(() => undefined);
  }
}

export const pipelinePart: BenchPart = {
  name: 'pipeline',
  keys: ['pipelineLinesPerSec', 'rawDockerLogsLinesPerSec', 'pipelineVsRaw', 'rawDockerRunLinesPerSec', 'pipelineVsDockerRun'],
  docker: true,
  timeoutMs: 15 * 60_000,
  async run(ctx) {
    const count = ctx.size(2_000_000, 200_000);
    const reps = ctx.size(3, 1);
    const dir = writeApp(ctx, 'printer', { 'app.py': PRINTER, 'count.txt': '1' });
    // Two CPUs, as the twin gets: the printer must not be the slow side.
    const settings = benchSettings({ cpus: 2 });
    const { runtime, image } = await buildApp(ctx, dir, settings);
    const session = await startApp(runtime, image, dir, settings);
    try {
      // First run prints one line: the container exists, the image is warm.
      await sleep(1000);
      writeFileSync(join(dir, 'count.txt'), String(count));
      const ours: number[] = [];
      const raw: number[] = [];
      const attach: number[] = [];
      for (let i = 0; i < reps; i++) {
        const ms = await pipelineRun(ctx, session, count);
        ours.push(count / (ms / 1000));
        ctx.log(`pipeline run ${i + 1}: ${count} lines in ${Math.round(ms)} ms`);
        // Our app idles after printing; stop it so the twin has the machine to itself.
        await exec('docker', ['stop', '-t', '1', session.id], { timeoutMs: 60_000 });
        const r = await rawRun(ctx, image.tag, dir, count, 'logs');
        raw.push(r.lines / (r.ms / 1000));
        ctx.log(`raw run ${i + 1}: ${r.lines} lines in ${Math.round(r.ms)} ms`);
        const a = await rawRun(ctx, image.tag, dir, count, 'attach');
        attach.push(a.lines / (a.ms / 1000));
        ctx.log(`docker run attach ${i + 1}: ${a.lines} lines in ${Math.round(a.ms)} ms`);
      }
      const pipelineLinesPerSec = median(ours);
      const rawDockerLogsLinesPerSec = median(raw);
      const rawDockerRunLinesPerSec = median(attach);
      ctx.note(
        `${reps} alternating runs of ${count} lines × 80 B; each timed from the (re)start request to the last line ` +
          `consumed. pipeline ${ours.map((v) => Math.round(v)).join(', ')} lines/s; docker logs -f ${raw.map((v) => Math.round(v)).join(', ')} lines/s; ` +
          `docker run (attached) | head | wc -l ${attach.map((v) => Math.round(v)).join(', ')} lines/s`,
      );
      return {
        pipelineLinesPerSec,
        rawDockerLogsLinesPerSec,
        pipelineVsRaw: pipelineLinesPerSec && rawDockerLogsLinesPerSec ? round(pipelineLinesPerSec / rawDockerLogsLinesPerSec, 3) : null,
        rawDockerRunLinesPerSec,
        pipelineVsDockerRun: pipelineLinesPerSec && rawDockerRunLinesPerSec ? round(pipelineLinesPerSec / rawDockerRunLinesPerSec, 3) : null,
      };
    } finally {
      await session.stop().catch(() => undefined);
      await exec('docker', ['rmi', '-f', image.tag]).catch(() => undefined);
    }
  },
};
