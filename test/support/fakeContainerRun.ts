/** A container run driven by the test: lines and exits fired by hand, each tagged with the run that wrote it. */
import { Emitter, type Disposable } from '../../src/core/lifecycle';
import type { ContainerExit, ContainerRun, LogLine } from '../../src/core/runtime/containerRuntime';

export class FakeContainerRun implements ContainerRun {
  readonly id = `fake-${Math.random().toString(36).slice(2, 8)}`;
  readonly publishedPorts = new Map<number, number>();
  readonly exits = new Emitter<ContainerExit>();
  private readonly lines = new Emitter<LogLine>();
  currentRun = 1;
  runStartedAt = Date.now();
  running = true;
  private seq = 0;

  onLine(l: (line: LogLine) => void): Disposable {
    return this.lines.event(l);
  }

  onExit(l: (exit: ContainerExit) => void): Disposable {
    return this.exits.event(l);
  }

  /** The app writes `text` (as run `run`: a late line of an earlier run when given). */
  line(text: string, run = this.currentRun): void {
    this.lines.fire({ stream: 'stdout', text, time: Date.now(), seq: ++this.seq, run });
  }

  async restart(): Promise<void> {
    this.currentRun++;
    this.runStartedAt = Date.now();
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  dispose(): Promise<void> {
    return this.stop();
  }
}
