/** Ownership of resources: every container, stream, timer and server has an owner that disposes it (LIFO). */
import type { Logger } from './common/logger';

export interface Disposable {
  dispose(): void | Promise<void>;
}

export function toDisposable(fn: () => void | Promise<void>): Disposable {
  let done = false;
  return {
    dispose: () => {
      if (done) return;
      done = true;
      return fn();
    },
  };
}

export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Adds `d`; if the store is already disposed, disposes `d` at once. */
  register<T extends Disposable>(d: T): T {
    if (this.disposed) void d.dispose();
    else this.items.push(d);
    return d;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    while (this.items.length) {
      const d = this.items.pop()!;
      try {
        await d.dispose();
      } catch {
        // one failing disposer must not keep the others alive
      }
    }
  }
}

/** Work in flight that its owner waits for before it is gone; each promise leaves the set when it settles. */
export class PendingWork {
  private readonly items = new Set<Promise<unknown>>();

  /** Adds `p` and returns it. */
  track<T>(p: Promise<T>): Promise<T> {
    this.items.add(p);
    const done = () => void this.items.delete(p);
    p.then(done, done);
    return p;
  }

  /** Resolves once nothing is in flight, including work added while waiting. */
  async settled(): Promise<void> {
    while (this.items.size) await Promise.allSettled([...this.items]);
  }
}

/** A subscription point: `event(listener)` subscribes until the returned Disposable is disposed (see common/event). */
export type Event<T> = (listener: (e: T) => void) => Disposable;

export interface EmitterOptions {
  /** Where a listener's error is reported (a broken consumer never breaks the pipeline, but it is not silent). */
  logger?: Logger;
  /** What fires, for the report. */
  name?: string;
}

/** A tiny typed event emitter (no Node `events` typing games). */
export class Emitter<T> implements Disposable {
  private listeners = new Set<(e: T) => void>();

  constructor(private readonly options: EmitterOptions = {}) {}

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return toDisposable(() => void this.listeners.delete(listener));
  };

  fire(e: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        // A broken consumer never breaks the pipeline; it is reported to the logger (the console when there is none).
        const what = `a listener of ${this.options.name ?? 'an event'} failed`;
        if (this.options.logger) this.options.logger.error('runtime', what, err);
        else console.error(`[autodev] ${what}:`, err);
      }
    }
  }
  dispose(): void {
    this.listeners.clear();
  }
}
