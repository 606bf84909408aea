// Waiting that an abort ends early, and a bound on how long to wait for work
// already started once a run is stopping.
import { setTimeout as delay } from 'node:timers/promises';

/** Sleep ms; false when the signal aborted first. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await delay(Math.max(0, ms), undefined, signal === undefined ? {} : { signal });
    return true;
  } catch {
    return false;
  }
}

/** Wait for all of them, or only graceMs once the signal has aborted. */
export async function settle(pending: Iterable<Promise<unknown>>, signal: AbortSignal | undefined, graceMs: number): Promise<void> {
  const all = Promise.allSettled(pending);
  if (signal === undefined) return void (await all);
  if (!signal.aborted) {
    let onAbort = () => undefined as void;
    const aborted = new Promise<'aborted'>((resolve) => (onAbort = () => resolve('aborted')));
    signal.addEventListener('abort', onAbort, { once: true });
    // Removed however the race ends: a run's one signal outlives many loops, and each would leave its listener behind.
    const first = await Promise.race([all, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
    if (first !== 'aborted') return;
  }
  const timer = delay(graceMs, undefined, { ref: false });
  await Promise.race([all, timer]);
}
