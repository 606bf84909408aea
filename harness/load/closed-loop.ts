// Closed loop: N workers, each sends its next request when the previous one
// answered. Bounded by a count (requests in all), a duration, and a signal.
// A closed loop slows down with the system it measures, so its latencies
// cannot show queueing the system caused (coordinated omission); it is the
// right tool for per-request latency at a fixed concurrency, not for rates.
import { settle } from './wait.js';

export interface ClosedLoopOptions {
  readonly workers: number;
  readonly count?: number;
  readonly durationMs?: number;
  readonly signal?: AbortSignal;
  /** After an abort, how long to wait for requests already sent. */
  readonly graceMs?: number;
  readonly now?: () => number;
}

export interface LoopResult {
  readonly issued: number;
  readonly aborted: boolean;
}

/** fire(i, startedAt) must not throw; i counts from 0 in the order requests are sent. */
export async function runClosedLoop(o: ClosedLoopOptions, fire: (i: number, startedAt: number) => Promise<void>): Promise<LoopResult> {
  if (o.count === undefined && o.durationMs === undefined) throw new RangeError('a closed loop needs a count or a duration');
  const now = o.now ?? (() => performance.now());
  const end = o.durationMs === undefined ? Infinity : now() + o.durationMs;
  let next = 0;
  const worker = async () => {
    for (;;) {
      if (o.signal?.aborted || (o.count !== undefined && next >= o.count) || now() >= end) return;
      const i = next++;
      await fire(i, now()).catch(() => undefined);
    }
  };
  const workers = Array.from({ length: Math.max(1, o.workers) }, worker);
  await settle(workers, o.signal, o.graceMs ?? 5000);
  return { issued: next, aborted: o.signal?.aborted ?? false };
}
