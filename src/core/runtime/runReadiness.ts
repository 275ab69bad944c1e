/**
 * When is a run of the app ready? A service is ready when its published port answers; an app without a port when it
 * writes its first line. Windows and replays start from here, not from when the (re)start was requested: on a busy
 * machine a start can take many times longer than on a quiet one, and that time is not the fix's fault.
 */
import { probeListening } from '../replay/portProbe';
import { DisposableStore, type Disposable } from '../lifecycle';
import type { ContainerRun } from './containerRuntime';

export type Readiness =
  | { ready: true; run: number; afterMs: number; how: string }
  | { ready: false; run: number; afterMs: number; why: 'exited' | 'superseded' | 'timeout' | 'cancelled'; detail: string };

const POLL_MS = 150;

/**
 * Follows one container session from its creation (subscribe before anything can be missed): per run, the time of
 * its first line and whether it ended. `wait(run)` resolves when that run is ready, ended, superseded or timed out.
 */
export class RunReadiness implements Disposable {
  private readonly store = new DisposableStore();
  private readonly firstLineAt = new Map<number, number>();
  private readonly firstLine = new Map<number, string>();
  private readonly ended = new Set<number>();
  private readonly wakers = new Set<() => void>();

  constructor(private readonly session: ContainerRun, private readonly containerPort?: number) {
    this.store.register(
      session.onLine((l) => {
        if (l.stream === 'system' || l.run === undefined || this.firstLineAt.has(l.run)) return;
        this.firstLineAt.set(l.run, l.time);
        this.firstLine.set(l.run, l.text);
        this.wake();
      }),
    );
    this.store.register(
      session.onExit((e) => {
        this.ended.add(e.run ?? session.currentRun);
        this.wake();
      }),
    );
  }

  private wake(): void {
    for (const w of [...this.wakers]) w();
  }

  /** Resolves after `ms`, or earlier on any line/exit event or abort. */
  private nap(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wakers.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wakers.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * Waits until run `run` (default: the current one) is ready: its port accepts and holds a connection (nothing is
   * sent: a probe request could crash a buggy app), or — without a port — it wrote a line. Not ready when the run
   * ended, a newer run replaced it, `timeoutMs` passed (measured from the run's start) or `signal` aborted. `port`
   * overrides the container port given at construction (a port discovered later).
   */
  async wait(opts: { run?: number; timeoutMs: number; signal?: AbortSignal; port?: number }): Promise<Readiness> {
    const s = this.session;
    const containerPort = opts.port ?? this.containerPort;
    const run = opts.run ?? s.currentRun;
    const startedAt = s.currentRun === run ? s.runStartedAt : Date.now();
    const since = () => Date.now() - startedAt;
    for (;;) {
      if (opts.signal?.aborted) return { ready: false, run, afterMs: since(), why: 'cancelled', detail: 'cancelled' };
      if (s.currentRun !== run) return { ready: false, run, afterMs: since(), why: 'superseded', detail: `run ${run} was replaced by run ${s.currentRun}` };
      if (containerPort === undefined) {
        const at = this.firstLineAt.get(run);
        if (at !== undefined) return { ready: true, run, afterMs: Math.max(0, at - startedAt), how: `first line: ${this.firstLine.get(run)?.slice(0, 120)}` };
      } else {
        const host = s.publishedPorts.get(containerPort);
        if (host && s.running && (await probeListening(host))) {
          // The probe holds the connection a moment: the run may have ended or been replaced meanwhile.
          if (s.currentRun === run && !this.ended.has(run)) return { ready: true, run, afterMs: since(), how: `port ${containerPort} answered` };
        }
      }
      if (this.ended.has(run)) {
        return { ready: false, run, afterMs: since(), why: 'exited', detail: `the app exited before it was ready` };
      }
      if (since() >= opts.timeoutMs) {
        const what = containerPort === undefined ? 'wrote no line' : `did not answer on port ${containerPort}`;
        return { ready: false, run, afterMs: since(), why: 'timeout', detail: `the app ${what} within ${Math.round(opts.timeoutMs / 1000)} s of its start` };
      }
      await this.nap(POLL_MS, opts.signal);
    }
  }

  dispose(): Promise<void> {
    this.wakers.clear();
    return this.store.dispose();
  }
}
