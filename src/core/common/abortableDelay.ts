/** A wait the heal loop and the scratch verifier can cut short: abort ends the wait, it is not an error. */

/**
 * Sleeps `ms`, or less when `signal` aborts; never rejects (callers check the signal themselves). The listener
 * is removed either way: no listener build-up over many waits on one long-lived signal.
 */
export const abortableDelay = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise<void>((resolve) => {
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
