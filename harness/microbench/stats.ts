// Pure: combine the per-thread results of one task into one CSV row. Threads
// run at once, so their rates add; latency is each thread's own.
import type { WorkerResult } from './worker.js';

export interface MicroRow {
  readonly name: string;
  readonly threads: number;
  readonly ops_per_s: number;
  readonly mean_us: number;
  readonly p99_us: number;
  readonly samples: number;
}

export const MICROBENCH_CSV = { name: 'string', threads: 'number', ops_per_s: 'number', mean_us: 'number', p99_us: 'number', samples: 'number' } as const;

export function combineThreads(name: string, results: readonly WorkerResult[]): MicroRow {
  if (results.length === 0) throw new Error(`no results for ${name}`);
  const opsPerS = results.reduce((sum, r) => sum + 1000 / r.periodMs, 0);
  const meanMs = results.reduce((sum, r) => sum + r.periodMs, 0) / results.length;
  return {
    name,
    threads: results.length,
    ops_per_s: Math.round(opsPerS),
    mean_us: round2(meanMs * 1000),
    p99_us: round2(Math.max(...results.map((r) => r.p99Ms)) * 1000),
    samples: results.reduce((sum, r) => sum + r.samples, 0),
  };
}

/** Predicate path throughput as a share of raw signature verification on one thread. */
export function pathRatios(rows: readonly MicroRow[]): { oneThread: number; twoThreads: number } | undefined {
  const find = (name: string, threads: number) => rows.find((r) => r.name === name && r.threads === threads)?.ops_per_s;
  const floor = find('signature_verify', 1);
  const one = find('predicate_path', 1);
  const two = find('predicate_path', 2);
  if (floor === undefined || one === undefined || two === undefined) return undefined;
  return { oneThread: one / floor, twoThreads: two / floor };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
