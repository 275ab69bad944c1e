/**
 * Crash latency: from the container writing a traceback to the crash event in our process, against a consumer
 * that polls `docker logs --since` every 1000 ms (as the original dashboard did) over the very same crashes.
 * The app prints time.time_ns() just before raising; container and host read the same CLOCK_REALTIME.
 */
import Docker from 'dockerode';
import { CrashScanner, DEFAULT_QUIET_MS } from '../src/core/crash/crashScanner';
import { LogDecoder } from '../src/core/runtime/logDecoder';
import { createPathMapper } from '../src/core/crash/pathMapper';
import type { LogLine } from '../src/core/runtime/containerRuntime';
import { abortable, exec, waitFor, type BenchContext, type BenchPart } from './benchContext';
import { buildApp, startApp, writeApp } from './benchApps';
import { epochMs, percentile, round, sleep } from './benchStats';

// The time stamp goes to stderr, the traceback's stream: stdout and stderr are separate pipes, and a traceback can
// overtake a line printed just before it on the other one.
const CRASHER = `import sys, time

def ratio(stats):
    return stats["hits"] / stats["total"]

def main():
    print("service starting", flush=True)
    time.sleep(0.3)
    stats = {"hits": 3, "total": 0}
    print("BENCH_T0 %d" % time.time_ns(), file=sys.stderr, flush=True)
    print(ratio(stats))

main()
`;

/** A service that logs a trace (logging.exception) and goes on logging: the next line completes the trace. */
const LOGGER = `import logging, random, time
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("app")

def ratio(stats):
    return stats["hits"] / stats["total"]

count = int(open("/app/count.txt").read())
time.sleep(0.5)
for i in range(count):
    time.sleep(0.2 + random.random() * 0.2)
    log.info("BENCH_T0 %d", time.time_ns())
    try:
        ratio({"hits": i, "total": 0})
    except ZeroDivisionError:
        log.exception("Exception on /stats [GET]")
    log.info("GET /health 200")
print("BENCH_DONE", flush=True)
`;

const T0 = /BENCH_T0 (\d+)$/;
const POLL_MS = 1000;
/** The scanner's quiet period as HealSession configures it. */
const QUIET_MS = DEFAULT_QUIET_MS;

/** The original dashboard's consumer: every second, fetch the new log lines and scan them. */
class PollingConsumer {
  private lastKey = '';
  private lastT0: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  readonly latencies: number[] = [];
  private readonly scanner = new CrashScanner({ quietMs: QUIET_MS });

  constructor(private readonly container: Docker.Container) {
    this.scanner.onCrash(() => {
      if (this.lastT0 !== null) this.latencies.push(epochMs() - this.lastT0);
      this.lastT0 = null;
    });
  }

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      await this.poll().catch(() => undefined);
      if (!this.stopped) this.timer = setTimeout(tick, POLL_MS);
    };
    this.timer = setTimeout(tick, POLL_MS);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async poll(): Promise<void> {
    const since = this.lastKey ? `${Date.parse(this.lastKey.slice(0, 19) + 'Z') / 1000}.${this.lastKey.slice(20)}` : '0';
    const buf = (await this.container.logs({ follow: false, stdout: true, stderr: true, timestamps: true, since: since as unknown as number })) as unknown as Buffer;
    const decoder = new LogDecoder(
      (line) => {
        // `since` is inclusive: skip what the previous poll already read.
        if (line.tsKey && line.tsKey <= this.lastKey) return;
        if (line.tsKey) this.lastKey = line.tsKey;
        const m = T0.exec(line.text);
        if (m) this.lastT0 = Number(m[1]) / 1e6;
        this.scanner.push(line.text, line.stream === 'stderr' ? 'stderr' : 'stdout');
      },
      { timestamps: true },
    );
    decoder.push(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
    decoder.flush();
    // The batch is all this consumer will know for a second: judge it now.
    this.scanner.flush();
  }
}

/** Transport + scan latency alone: traces logged by a running service, each followed at once by its next line. */
async function loggedTraceLatency(ctx: BenchContext, count: number): Promise<number[]> {
  const dir = writeApp(ctx, 'logger', { 'app.py': LOGGER, 'count.txt': String(count) });
  const { runtime, image } = await buildApp(ctx, dir);
  const scanner = new CrashScanner({ pathMapper: createPathMapper({ workspaceDir: dir, containerWorkdir: image.workdir }), quietMs: QUIET_MS, early: true });
  let t0: number | null = null;
  const latencies: number[] = [];
  scanner.onCrashSeen(() => {
    if (t0 !== null) latencies.push(epochMs() - t0);
    t0 = null;
  });
  const session = await startApp(runtime, image, dir);
  try {
    const done = waitFor<LogLine>((l) => session.onLine(l), (line) => line.text === 'BENCH_DONE', 60_000 + count * 1000, 'the logger to finish');
    session.onLine((line) => {
      if (line.stream === 'system') return;
      const m = T0.exec(line.text);
      if (m) t0 = Number(m[1]) / 1e6;
      scanner.push(line.text, line.stream);
    });
    await abortable(done, ctx.signal);
  } finally {
    await session.stop().catch(() => undefined);
    await exec('docker', ['rmi', '-f', image.tag]).catch(() => undefined);
  }
  return latencies;
}

export const crashLatencyPart: BenchPart = {
  name: 'crash',
  keys: ['crashToEventMsP50', 'crashToEventMsP95', 'crashFinalMsP50', 'pollingBaselineMsP50', 'loggedCrashToEventMsP50'],
  docker: true,
  timeoutMs: 8 * 60_000,
  async run(ctx) {
    const reps = ctx.size(30, 5);
    const dir = writeApp(ctx, 'crasher', { 'app.py': CRASHER });
    const { runtime, image } = await buildApp(ctx, dir);

    // Our consumer: the live pipeline into the crash scanner; the container's exit completes a pending trace.
    const scanner = new CrashScanner({ pathMapper: createPathMapper({ workspaceDir: dir, containerWorkdir: image.workdir }), quietMs: QUIET_MS, early: true });
    let lastT0: number | null = null;
    let seenT0: number | null = null;
    const finals: number[] = [];
    let runT0: number | null = null;
    const exits: number[] = [];
    const outputEnds: number[] = [];
    // Run 0 warms up (and may start before our subscription): not counted by either consumer.
    let counting = false;
    const ours: number[] = [];
    const crashed: Array<() => void> = [];
    // The crash event is the first one (HealSession's `crashSeen`, shown at once); the final report follows.
    scanner.onCrashSeen(() => {
      const at = epochMs();
      if (seenT0 !== null && counting) ours.push(at - seenT0);
      seenT0 = null;
    });
    scanner.onCrash((report) => {
      const at = epochMs();
      if (lastT0 !== null && counting) finals.push(at - lastT0);
      lastT0 = null;
      ctx.log(`crash ${report.type} at ${report.userFrame?.file}:${report.userFrame?.line}`);
      crashed.shift()?.();
    });

    const session = await startApp(runtime, image, dir);
    const poller = new PollingConsumer(new Docker().getContainer(session.id));
    try {
      session.onLine((line) => {
        if (line.stream === 'system') return;
        const m = T0.exec(line.text);
        if (m) lastT0 = seenT0 = runT0 = Number(m[1]) / 1e6;
        scanner.push(line.text, line.stream);
      });
      // As HealSession: the end of the output completes a pending trace; the exit event (later) too.
      session.onOutputEnd?.(() => {
        if (counting && runT0 !== null) outputEnds.push(epochMs() - runT0);
        scanner.flush();
      });
      session.onExit(() => {
        if (counting && runT0 !== null) exits.push(epochMs() - runT0);
        runT0 = null;
        scanner.flush();
      });
      poller.start();
      for (let i = 0; i <= reps; i++) {
        counting = i > 0;
        const event = new Promise<void>((r) => crashed.push(r));
        const exited = waitFor((l) => session.onExit(l), () => true, 30_000, 'the crashed app to exit');
        exited.catch(() => undefined);
        if (i > 0) await session.restart();
        await abortable(
          Promise.race([event, sleep(20_000).then(() => Promise.reject(new Error(`no crash event in run ${i + 1}`)))]),
          ctx.signal,
        );
        // Let the poller see this crash too, then wait a random part of its period so the crash lands at a random
        // phase of the polling cycle (as it would for a real app).
        const want = i + 1;
        const deadline = Date.now() + 10_000;
        while (poller.latencies.length < want && Date.now() < deadline) await sleep(50);
        await exited;
        await sleep(Math.random() * POLL_MS);
      }
    } finally {
      poller.stop();
      await session.stop().catch(() => undefined);
      await exec('docker', ['rmi', '-f', image.tag]).catch(() => undefined);
    }
    ctx.note(
      `${ours.length} crashes (uncaught ZeroDivisionError, container exits), scanner quietMs ${QUIET_MS} (HealSession's); first event ` +
        `(crashSeen) ms: ${ours.map((v) => v.toFixed(1)).join(', ')}; final report ms: ${finals.map((v) => v.toFixed(1)).join(', ')}; the output ended at p50 ${percentile(outputEnds, 50)?.toFixed(1)} ms, ` +
        `the session's exit event came at p50 ${percentile(exits, 50)?.toFixed(1)} ms (both from the line before the traceback)`,
    );
    const logged = await loggedTraceLatency(ctx, ctx.size(30, 5));
    ctx.note(
      `logged exception in a running service (logging.exception, then its next log line at once, which completes the ` +
        `trace): ${logged.length} traces, p50 ${percentile(logged, 50)?.toFixed(2)} ms, p95 ${percentile(logged, 95)?.toFixed(2)} ms`,
    );
    const polled = poller.latencies.slice(1);
    ctx.note(`polling (docker logs --since every ${POLL_MS} ms, same scanner, batch judged at once): ${polled.length} crashes seen; ms: ${polled.map((v) => v.toFixed(0)).join(', ')}`);
    return {
      crashToEventMsP50: round(percentile(ours, 50), 2),
      crashToEventMsP95: round(percentile(ours, 95), 2),
      crashFinalMsP50: round(percentile(finals, 50), 2),
      pollingBaselineMsP50: round(percentile(polled, 50), 1),
      loggedCrashToEventMsP50: round(percentile(logged, 50), 2),
    };
  },
};
