// sweep.csv: one row per step of a throughput sweep and path, with whether
// the path had saturated at that offered rate (load/saturation.ts), and on
// every row the rate its path sustained before it first saturated and, per
// sweep and operation, SEB's sustained rate over direct's.
import { writeCsv } from '../csv.js';
import { summarize } from '../metrics/histogram.js';
import type { BlockRecord, RequestRecord } from '../metrics/history.js';
import { isSaturated, type StepMeasure } from '../load/saturation.js';
import type { SaturationCriteria } from '../scenario/schema.js';
import { groupBy, keyOf } from './summary.js';
import { GROUP_CSV } from './group-columns.js';

/** `scenario` is the sweep's own name (requests.csv and summary.csv name each step `<name>@<rate>rps`). */
export const SWEEP_CSV = {
  ...GROUP_CSV,
  offered_rps: 'number',
  achieved_rps: 'number',
  count: 'number',
  errors: 'number',
  p50_ms: 'number',
  p99_ms: 'number',
  saturated: 'boolean',
  why: 'string?',
  /** The best achieved rate of this path's steps before it first saturated; empty when it saturated at once. */
  sustained_rps: 'number?',
  /** SEB's sustained_rps over direct's, for this sweep and operation; empty without both. */
  sustained_ratio: 'number?',
} as const;

export interface SweepRow extends StepMeasure {
  readonly scenario: string;
  readonly target: string;
  readonly platform: string;
  readonly path: string;
  readonly operation: string;
  readonly p50_ms: number;
  readonly saturated: boolean;
  readonly why: string | null;
}

export interface Sustained {
  /** The best achieved rate of this path's steps before it first saturated; null when it saturated at once. */
  readonly sustained_rps: number | null;
  /** SEB's sustained_rps over direct's, for this sweep and operation; null without both. */
  readonly sustained_ratio: number | null;
}

/** Steps in the order they ran. */
export function sustainedRps(steps: readonly { readonly achieved_rps: number; readonly saturated: boolean }[]): number | null {
  let best: number | null = null;
  for (const step of steps) {
    if (step.saturated) break;
    best = Math.max(best ?? 0, step.achieved_rps);
  }
  return best;
}

export type SustainedSweepRow = SweepRow & Sustained;

export function withSustained<R extends SweepRow>(rows: readonly R[]): (R & Sustained)[] {
  const sustained = new Map([...groupBy(rows, keyOf)].map(([key, steps]) => [key, sustainedRps(steps)]));
  return rows.map((r) => {
    const of = (path: string) => sustained.get(keyOf({ ...r, path })) ?? null;
    const seb = of('seb');
    const direct = of('direct');
    return { ...r, sustained_rps: of(r.path), sustained_ratio: seb !== null && direct !== null && direct > 0 ? Math.round((seb / direct) * 1000) / 1000 : null };
  });
}

/** Measure one step: achieved rate counts executed requests over the step's whole time, draining included. */
export function measureStep(requests: readonly RequestRecord[], offeredRps: number, activeMs: number): StepMeasure & { p50_ms: number } {
  const executed = requests.filter((r) => r.outcome === 'executed').length;
  const s = summarize(
    requests.map((r) => r.latency_ms),
    requests.length - executed,
    activeMs,
  );
  return { offered_rps: offeredRps, achieved_rps: activeMs > 0 ? Math.round((executed * 1e6) / activeMs) / 1000 : 0, count: s.count, errors: s.errors, p50_ms: s.p50_ms, p99_ms: s.p99_ms };
}

export function sweepRows(requests: readonly RequestRecord[], blocks: readonly BlockRecord[], criteria: (scenario: string) => SaturationCriteria): SustainedSweepRow[] {
  const byKey = groupBy(requests, keyOf);
  const steps = blocks
    .filter((b) => b.sweep !== undefined && b.offered_rps !== undefined)
    .map((b) => {
      const group = (byKey.get(keyOf(b)) ?? []).filter((r) => r.start_ms >= b.start_ms && r.start_ms <= b.end_ms);
      const step = measureStep(group, b.offered_rps as number, b.end_ms - b.start_ms);
      const target = group[0]?.target ?? '';
      return { scenario: b.sweep as string, target, platform: b.platform, path: b.path, operation: b.operation, ...step, ...isSaturated(step, criteria(b.sweep as string)) };
    });
  return withSustained(steps);
}

export function sweepCsv(runId: string, rows: readonly SustainedSweepRow[]): string {
  return writeCsv(
    SWEEP_CSV,
    rows.map((r) => ({ run_id: runId, ...r })),
  );
}
