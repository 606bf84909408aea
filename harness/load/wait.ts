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
  if (!signal?.aborted) {
    const aborted = new Promise<'aborted'>((resolve) => signal?.addEventListener('abort', () => resolve('aborted'), { once: true }));
    if ((await Promise.race([all, aborted])) !== 'aborted') return;
  }
  const timer = delay(graceMs, undefined, { ref: false });
  await Promise.race([all, timer]);
}
