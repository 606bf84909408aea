// How a measured phase is cut into blocks. SEB and direct requests run in
// alternating blocks (SEB, direct, direct, SEB, ...: ABBA, so a slow drift of
// the machine over the run weighs on both paths alike), never interleaved
// request by request: interleaving would put the two paths' requests in the
// same queues at the same instant, and each path's latency would carry the
// other's load. Both paths still run in the same process, against the same
// target, in the same time window, so they share warm caches, connections
// and whatever the machine was doing.
import type { RequestPath } from '../metrics/history.js';

export function blockOrder(paths: readonly RequestPath[], blocksPerPath: number): RequestPath[] {
  const order: RequestPath[] = [];
  for (let k = 0; k < blocksPerPath; k++) order.push(...(k % 2 === 0 ? paths : [...paths].reverse()));
  return order;
}

/** total split into parts as evenly as possible, larger parts first: 10 in 3 is 4, 3, 3. */
export function splitEvenly(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, k) => base + (k < total % parts ? 1 : 0));
}
