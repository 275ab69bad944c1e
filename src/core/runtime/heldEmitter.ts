import { Emitter, type Disposable } from '../lifecycle';

/**
 * An emitter that holds events until the first listener subscribes: a fast app prints (or even exits) before
 * `start()` has returned, and those lines must not be lost. The held events are delivered on the next microtask
 * (before any further I/O event, so order is kept) to every listener subscribed by then, which lets a consumer
 * finish its synchronous set-up (e.g. subscribe to lines and exit together) before the first event arrives.
 */
export class HeldEmitter<T> {
  private readonly emitter = new Emitter<T>();
  private backlog: T[] | undefined = [];
  private replayScheduled = false;

  constructor(private readonly cap: number) {}

  readonly event = (listener: (e: T) => void): Disposable => {
    const d = this.emitter.event(listener);
    if (this.backlog && !this.replayScheduled) {
      this.replayScheduled = true;
      queueMicrotask(() => {
        const held = this.backlog ?? [];
        this.backlog = undefined;
        for (const e of held) this.emitter.fire(e);
      });
    }
    return d;
  };

  fire(e: T): void {
    if (this.backlog) {
      this.backlog.push(e);
      // Drop the oldest tenth at once (not one shift per event: that is quadratic on a big backlog).
      if (this.backlog.length > this.cap) this.backlog.splice(0, Math.ceil(this.cap / 10));
    } else this.emitter.fire(e);
  }

  dispose(): void {
    this.backlog = undefined;
    this.emitter.dispose();
  }
}
