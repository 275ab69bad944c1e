/**
 * Combinators over `Event<T>` (VS Code's `Event` namespace, small): take one event, filter, map, debounce, or await
 * the next one. Each returns an Event whose subscription owns the underlying one.
 */
import { toDisposable, type Disposable, type Event as EventType } from '../lifecycle';

export type Event<T> = EventType<T>;

function once<T>(event: Event<T>): Event<T> {
  return (listener) => {
    let fired = false;
    let sub: Disposable | null = null;
    sub = event((e) => {
      if (fired) return;
      fired = true;
      void sub?.dispose();
      listener(e);
    });
    // The source may have fired synchronously while subscribing.
    if (fired) void sub.dispose();
    return sub;
  };
}

function filter<T, U extends T = T>(event: Event<T>, predicate: ((e: T) => e is U) | ((e: T) => boolean)): Event<U> {
  return (listener) => event((e) => (predicate(e) ? listener(e as U) : undefined));
}

function map<T, U>(event: Event<T>, fn: (e: T) => U): Event<U> {
  return (listener) => event((e) => listener(fn(e)));
}

/** Fires `merge`d events at most once per `delayMs` of quiet (the last event by default). */
function debounce<T, U = T>(event: Event<T>, delayMs: number, merge: (last: U | undefined, e: T) => U = (_l, e) => e as unknown as U): Event<U> {
  return (listener) => {
    let timer: NodeJS.Timeout | null = null;
    let acc: U | undefined;
    const sub = event((e) => {
      acc = merge(acc, e);
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        const out = acc as U;
        acc = undefined;
        listener(out);
      }, delayMs);
    });
    return toDisposable(() => {
      if (timer) clearTimeout(timer);
      return sub.dispose();
    });
  };
}

/** The next event, or a rejection when `signal` aborts first. */
function toPromise<T>(event: Event<T>, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const onAbort = () => {
      void sub.dispose();
      reject(signal?.reason ?? new Error('aborted'));
    };
    const sub = once(event)((e) => {
      signal?.removeEventListener('abort', onAbort);
      resolve(e);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const Event = { once, filter, map, debounce, toPromise } as const;
