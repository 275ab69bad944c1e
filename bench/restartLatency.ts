/**
 * Patch-to-running: write a changed file into the bind-mounted app (as applying a patch does), restart the same
 * container, and stop the clock at the first line the patched app prints.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLine } from '../src/core/runtime/containerRuntime';
import { abortable, exec, waitFor, type BenchPart } from './benchContext';
import { buildApp, startApp, writeApp } from './benchApps';
import { median, round } from './benchStats';

const app = (version: number) => `import time
print("ready v${version}", flush=True)
while True:
    time.sleep(3600)
`;

export const restartPart: BenchPart = {
  name: 'restart',
  keys: ['restartToRunningMs'],
  docker: true,
  timeoutMs: 5 * 60_000,
  async run(ctx) {
    const reps = ctx.size(10, 3);
    const dir = writeApp(ctx, 'service', { 'app.py': app(0) });
    const { runtime, image } = await buildApp(ctx, dir);
    const session = await startApp(runtime, image, dir);
    const times: number[] = [];
    try {
      // The first run may print before or after we subscribe: wait for it either way (or give it 5 s).
      const up = waitFor<LogLine>((l) => session.onLine(l), (line) => line.text === 'ready v0', 5_000, 'the first run');
      await up.catch(() => undefined);
      for (let v = 1; v <= reps; v++) {
        // Only the patched app's line stops the clock: a late line of the previous run must not.
        const first = waitFor<LogLine>((l) => session.onLine(l), (line) => line.text === `ready v${v}`, 30_000, `"ready v${v}" from the restarted app (bind mount not picked up?)`);
        const t0 = performance.now();
        writeFileSync(join(dir, 'app.py'), app(v));
        await session.restart();
        await abortable(first, ctx.signal);
        times.push(performance.now() - t0);
      }
    } finally {
      await session.stop().catch(() => undefined);
      await exec('docker', ['rmi', '-f', image.tag]).catch(() => undefined);
    }
    ctx.note(`${reps} patch+restart cycles of a running Python app (SIGTERM via init, stop timeout 2 s); ms: ${times.map((t) => t.toFixed(0)).join(', ')}`);
    return { restartToRunningMs: round(median(times), 1) };
  },
};
