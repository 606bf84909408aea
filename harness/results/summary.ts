// summary.csv: one row per scenario, platform, path and operation. Latency
// percentiles cover every request (denials and failures too); `errors` counts
// the requests that did not execute; `rate_rps` is requests per second of the
// time that path was being measured (the sum of its blocks).
import { writeCsv } from '../csv.js';
import { summarize, type LatencySummary } from '../metrics/histogram.js';
import type { BlockRecord, RequestRecord } from '../metrics/history.js';
import { groupBy } from '../group-by.js';
import { GROUP_CSV } from './group-columns.js';

export { groupBy };

export const SUMMARY_KEY = ['scenario', 'platform', 'path', 'operation'] as const;
export const SUMMARY_CSV = {
  ...GROUP_CSV,
  count: 'number',
  errors: 'number',
  p50_ms: 'number',
  p90_ms: 'number',
  p99_ms: 'number',
  max_ms: 'number',
  rate_rps: 'number',
} as const;

/** The columns that say which group a row describes. */
export interface GroupIdentity {
  readonly scenario: string;
  readonly target: string;
  readonly platform: string;
  readonly path: string;
  readonly operation: string;
}

export interface SummaryRow extends LatencySummary, GroupIdentity {}

export function identityOf(r: GroupIdentity): GroupIdentity {
  return { scenario: r.scenario, target: r.target, platform: r.platform, path: r.path, operation: r.operation };
}

type Keyed = Readonly<Record<(typeof SUMMARY_KEY)[number], string>>;

export function keyOf(r: Keyed): string {
  return SUMMARY_KEY.map((k) => r[k]).join('\0');
}

export function summaryRows(requests: readonly RequestRecord[], blocks: readonly BlockRecord[]): SummaryRow[] {
  const active = new Map<string, number>();
  for (const b of blocks) active.set(keyOf(b), (active.get(keyOf(b)) ?? 0) + (b.end_ms - b.start_ms));
  return [...groupBy(requests, keyOf)].map(([key, group]) => {
    const first = group[0] as RequestRecord;
    const errors = group.filter((r) => r.outcome !== 'executed').length;
    return {
      ...identityOf(first),
      ...summarize(
        group.map((r) => r.latency_ms),
        errors,
        active.get(key) ?? 0,
      ),
    };
  });
}

export function summaryCsv(runId: string, rows: readonly SummaryRow[]): string {
  return writeCsv(
    SUMMARY_CSV,
    rows.map((r) => ({ run_id: runId, ...r })),
  );
}
