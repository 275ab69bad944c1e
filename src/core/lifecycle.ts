/** Ownership of resources: every container, stream, timer and server has an owner that disposes it (LIFO). */
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

/** A tiny typed event emitter (no Node `events` typing games). */
export class Emitter<T> implements Disposable {
  private listeners = new Set<(e: T) => void>();
  readonly event = (listener: (e: T) => void): Disposable => {
    this.listeners.add(listener);
    return toDisposable(() => void this.listeners.delete(listener));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // a broken consumer never breaks the pipeline
      }
    }
  }
  dispose(): void {
    this.listeners.clear();
  }
}
