/**
 * How long this app takes to start on this machine, measured (container start → ready), and the waits derived from
 * it. A fixed timeout is right on a quiet machine and wrong on a busy one; a wait scaled from the app's own measured
 * start-up holds on both, so a verdict never depends on the load.
 */

/** Starts remembered (the most recent ones: a machine gets busy and quiet again). */
const SAMPLES = 8;

export class StartupTimes {
  private readonly samples: number[] = [];

  /** Records one measured start-up (ms from the run's start to ready). */
  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.samples.push(ms);
    if (this.samples.length > SAMPLES) this.samples.shift();
  }

  /** The slowest of the recent starts, or undefined before the first was measured. */
  get slowestMs(): number | undefined {
    return this.samples.length ? Math.max(...this.samples) : undefined;
  }

  /**
   * A wait for something that includes a start (a container coming up, a request answered by an app that just
   * started): `factor` times the slowest start measured, never less than `floorMs` (the wait on a quiet machine).
   */
  budget(floorMs: number, factor = 4): number {
    const slowest = this.slowestMs;
    return slowest === undefined ? floorMs : Math.max(floorMs, Math.ceil(slowest * factor));
  }

  /** `start-up 2.4 s` for messages, or '' before anything was measured. */
  describe(): string {
    const slowest = this.slowestMs;
    return slowest === undefined ? '' : `slowest start-up measured ${(slowest / 1000).toFixed(1)} s`;
  }
}

/** Floors of the scaled waits: what a quiet machine needs. Every use goes through StartupTimes.budget. */
export const STARTUP_FLOORS = {
  /** An app's port answering after a (re)start. */
  readyMs: 20_000,
  /** A replayed request answered. */
  replayMs: 15_000,
  /** The proxy announcing the app reachable. */
  announceMs: 60_000,
} as const;
