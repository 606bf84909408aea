// Open loop: requests are sent at scheduled instants whether or not earlier
// ones have answered, as independent agents would send them. Latency is
// measured from the *intended* start (the schedule), not from when the
// request actually left: when the system (or this harness) falls behind,
// that delay is part of what a caller would see. Measuring from the actual
// send would hide it (coordinated omission; Tene, "How NOT to measure
// latency"). Beyond maxInFlight outstanding requests, new ones wait for a
// free slot, and the wait is in their latency too.
import type { LoopResult } from './closed-loop.js';
import { settle, sleep } from './wait.js';

export interface OpenLoopOptions {
  /** Arrival offsets in ms from the start, rising (load/schedule.ts). */
  readonly schedule: Iterable<number>;
  readonly maxInFlight: number;
  readonly signal?: AbortSignal;
  readonly graceMs?: number;
  readonly now?: () => number;
}

/** fire(i, intendedAt) must not throw; intendedAt is on the performance.now() clock. */
export async function runOpenLoop(o: OpenLoopOptions, fire: (i: number, intendedAt: number) => Promise<void>): Promise<LoopResult> {
  const now = o.now ?? (() => performance.now());
  const t0 = now();
  const inFlight = new Set<Promise<void>>();
  let issued = 0;
  for (const offset of o.schedule) {
    if (o.signal?.aborted) break;
    const at = t0 + offset;
    // Timers fire no finer than ~1 ms: arrivals due within it go now, in a burst.
    const wait = at - now();
    if (wait >= 1 && !(await sleep(wait, o.signal))) break;
    while (inFlight.size >= o.maxInFlight && !o.signal?.aborted) await Promise.race(inFlight);
    if (o.signal?.aborted) break;
    const p: Promise<void> = fire(issued++, at)
      .catch(() => undefined)
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await settle(inFlight, o.signal, o.graceMs ?? 5000);
  return { issued, aborted: o.signal?.aborted ?? false };
}
