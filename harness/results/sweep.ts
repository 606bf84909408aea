// sweep.csv: one row per step of a throughput sweep and path, with whether
// the path had saturated at that offered rate (load/saturation.ts).
import { writeCsv } from '../csv.js';
import { summarize } from '../metrics/histogram.js';
import type { BlockRecord, RequestRecord } from '../metrics/history.js';
import { isSaturated, type StepMeasure } from '../load/saturation.js';
import type { SaturationCriteria } from '../scenario/schema.js';
import { groupBy, keyOf } from './summary.js';

export const SWEEP_CSV = {
  run_id: 'string',
  /** The sweep's own name (requests.csv and summary.csv name each step `<name>@<rate>rps`). */
  scenario: 'string',
  target: 'string',
  platform: 'string',
  path: 'string',
  operation: 'string',
  offered_rps: 'number',
  achieved_rps: 'number',
  count: 'number',
  errors: 'number',
  p50_ms: 'number',
  p99_ms: 'number',
  saturated: 'boolean',
  why: 'string?',
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

export function sweepRows(requests: readonly RequestRecord[], blocks: readonly BlockRecord[], criteria: (scenario: string) => SaturationCriteria): SweepRow[] {
  const byKey = groupBy(requests, keyOf);
  return blocks
    .filter((b) => b.sweep !== undefined && b.offered_rps !== undefined)
    .map((b) => {
      const group = (byKey.get(keyOf(b)) ?? []).filter((r) => r.start_ms >= b.start_ms && r.start_ms <= b.end_ms);
      const step = measureStep(group, b.offered_rps as number, b.end_ms - b.start_ms);
      const target = group[0]?.target ?? '';
      return { scenario: b.sweep as string, target, platform: b.platform, path: b.path, operation: b.operation, ...step, ...isSaturated(step, criteria(b.sweep as string)) };
    });
}

export function sweepCsv(runId: string, rows: readonly SweepRow[]): string {
  return writeCsv(
    SWEEP_CSV,
    rows.map((r) => ({ run_id: runId, ...r })),
  );
}
