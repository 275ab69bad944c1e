/**
 * The events every container session offers — its lines, its exits and the end of its output — written once for
 * the Docker, Kubernetes and app sessions, which fire them and dispose of them when they stop.
 */
import { Emitter, type Disposable } from '../lifecycle';
import type { ContainerExit, LogLine } from './containerRuntime';
import { HeldEmitter } from './heldEmitter';

/** Lines kept for the first subscriber when output arrives before anyone listens (start() is still returning). */
const BACKLOG_LINES = 100_000;
/** Exits kept likewise: a fast app can exit before start() returns. */
const BACKLOG_EXITS = 10;

/** Base of a session: `onLine`, `onExit` and `onOutputEnd` of ContainerSession over emitters the subclass fires. */
export abstract class SessionEvents {
  protected readonly lines = new HeldEmitter<LogLine>(BACKLOG_LINES);
  protected readonly exits = new HeldEmitter<ContainerExit>(BACKLOG_EXITS);
  protected readonly outputEnds = new Emitter<void>();

  /** Subscribes to complete lines, in order (those fired before the first subscriber are held for it). */
  onLine(listener: (line: LogLine) => void): Disposable {
    return this.lines.event(listener);
  }

  /** Fires once per run (held like the lines until the first subscriber). */
  onExit(listener: (exit: ContainerExit) => void): Disposable {
    return this.exits.event(listener);
  }

  /** Fires when the output stream ends, ahead of the exit (a plain emitter: nothing is held for later subscribers). */
  onOutputEnd(listener: () => void): Disposable {
    return this.outputEnds.event(listener);
  }

  /** Drops every listener and anything still held; the last step of stopping a session. */
  protected disposeEvents(): void {
    this.lines.dispose();
    this.exits.dispose();
    this.outputEnds.dispose();
  }
}

/** What a session knows of its current run: its number (lines and exits carry it) and when it was asked to start. */
export interface RunStamp {
  readonly n: number;
  readonly startedAt: number;
}

/** Base of an engine's session (Docker, Kubernetes): `running`, `currentRun` and `runStartedAt` over its current run. */
export abstract class RunSessionBase<R extends RunStamp> extends SessionEvents {
  protected current: R | undefined;
  protected isRunning = false;

  get running(): boolean {
    return this.isRunning;
  }

  get currentRun(): number {
    return this.current?.n ?? 0;
  }

  get runStartedAt(): number {
    return this.current?.startedAt ?? 0;
  }
}
