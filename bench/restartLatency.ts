/**
 * Patch-to-running, both ways a fix reaches a running app: a bind-mounted app restarts its container in place; an app
 * whose image owns its files (a multi-stage Dockerfile's artifact) is rebuilt with layer cache and recreated. Write
 * a changed file (as applying a patch does), restart, and stop the clock at the first line the patched app prints.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLine } from '../src/core/runtime/containerRuntime';
import type { DockerRuntime } from '../src/core/runtime/dockerRuntime';
import { abortable, waitFor, type BenchPart } from './benchContext';
import { benchSettings, buildApp, startApp, writeApp } from './benchApps';
import type { BenchContext } from './benchContext';
import { median, round } from './benchStats';

const app = (version: number) => `import time
print("ready v${version}", flush=True)
while True:
    time.sleep(3600)
`;

/** A multi-stage build whose final image holds only a copy of the source made in the builder stage. */
const dockerfile = (base: string) => `FROM ${base} AS build
WORKDIR /src
COPY app.py .
RUN mkdir -p /out && python3 -m py_compile app.py && cp app.py /out/app.py

FROM ${base}
WORKDIR /srv
COPY --from=build /out/app.py /srv/app.py
CMD ["python3", "/srv/app.py"]
`;

/** Ms from writing version v to the first line of version v, for each of `reps` restarts (on `engine`). */
export async function cycles(ctx: BenchContext, name: string, files: Record<string, string>, reps: number, engine?: DockerRuntime): Promise<number[]> {
  const dir = writeApp(ctx, name, { ...files, 'app.py': app(0) });
  const { runtime, image } = await buildApp(ctx, dir, undefined, engine);
  const session = await startApp(runtime, image, dir);
  const times: number[] = [];
  try {
    // The first run may print before or after we subscribe: wait for it either way (or give it 5 s).
    const up = waitFor<LogLine>((l) => session.onLine(l), (line) => line.text === 'ready v0', 5_000, 'the first run');
    await up.catch(() => undefined);
    for (let v = 1; v <= reps; v++) {
      // Only the patched app's line stops the clock: a late line of the previous run must not.
      const first = waitFor<LogLine>((l) => session.onLine(l), (line) => line.text === `ready v${v}`, 120_000, `"ready v${v}" from the restarted app (edit not picked up?)`);
      const t0 = performance.now();
      writeFileSync(join(dir, 'app.py'), app(v));
      await session.restart();
      await abortable(first, ctx.signal);
      times.push(performance.now() - t0);
    }
  } finally {
    await session.stop().catch(() => undefined);
    await runtime.client.getImage(image.tag).remove({ force: true }).catch(() => undefined);
  }
  return times;
}

export const restartPart: BenchPart = {
  name: 'restart',
  keys: ['restartToRunningMs', 'rebuildRestartToRunningMs'],
  docker: true,
  timeoutMs: 8 * 60_000,
  async run(ctx) {
    const reps = ctx.size(10, 3);
    const mounted = await cycles(ctx, 'service', {}, reps);
    ctx.note(`${reps} patch+restart cycles of a running bind-mounted Python app (SIGTERM via init, stop timeout 2 s); ms: ${mounted.map((t) => t.toFixed(0)).join(', ')}`);
    const rebuilt = await cycles(ctx, 'built-in', { Dockerfile: dockerfile(benchSettings().pythonImage) }, ctx.size(5, 2));
    ctx.note(`patch+rebuild (layer cache)+recreate cycles of a multi-stage Dockerfile app; ms: ${rebuilt.map((t) => t.toFixed(0)).join(', ')}`);
    return { restartToRunningMs: round(median(mounted), 1), rebuildRestartToRunningMs: round(median(rebuilt), 1) };
  },
};
