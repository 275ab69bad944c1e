/**
 * Oversubscribes the CPU for a load test: busy `node -e 'for(;;){}'` processes, started by the test and killed by
 * the pids it started (never by name). Load tests compare verdicts, never timings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';

export class CpuLoad {
  private constructor(private readonly children: ChildProcess[]) {}

  /** Starts `count` busy processes (default: one more than there are cores, at least three). */
  static start(count = Math.max(3, availableParallelism() + 1)): CpuLoad {
    const children = Array.from({ length: count }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
    return new CpuLoad(children);
  }

  get pids(): number[] {
    return this.children.map((c) => c.pid ?? -1);
  }

  /** Whether every busy process is still spinning (a test that claims load checks it at the end). */
  get running(): boolean {
    return this.children.every((c) => c.exitCode === null && c.signalCode === null);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGKILL');
          }),
      ),
    );
  }
}
