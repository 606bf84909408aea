// The table beside the paper's figures: the paper reports ~28 ms of added
// latency on Kubernetes, ~195 ms on AWS, and "hundreds of requests per
// second"; ours are p50 SEB − p50 direct and SEB / direct from summary.csv,
// and the highest rate a sweep sustained before saturating.
import { groupBy, median, offeredRateOf, round } from './figures/common.js';
import type { SweepPoint } from './figures/throughput.js';
import type { SummaryRow } from './run-data.js';

export const PAPER = {
  addedLatencyMs: { kubernetes: 28, aws: 195 } as Readonly<Record<string, number>>,
  throughput: 'hundreds of requests per second',
} as const;

export interface OverheadRow {
  readonly scenario: string;
  readonly platform: string;
  readonly operation: string;
  readonly p50_direct_ms: number;
  readonly p50_seb_ms: number;
  /** p50 SEB − p50 direct. */
  readonly added_ms: number;
  /** p50 SEB / p50 direct; null when direct's p50 is 0. */
  readonly ratio: number | null;
  /** p99 SEB − p99 direct. */
  readonly added_p99_ms: number;
}

export interface PlatformOverhead {
  readonly platform: string;
  readonly operations: number;
  readonly paper_added_ms: number | null;
  /** Medians over the platform's operations. */
  readonly added_ms: number;
  readonly ratio: number | null;
  readonly min_added_ms: number;
  readonly max_added_ms: number;
}

export interface ThroughputRow {
  readonly platform: string;
  readonly path: string;
  /** Highest achieved rate of a step before the path first saturated; null when it saturated at once. */
  readonly sustained_rps: number | null;
  /** The first offered rate at which it saturated; null when it never did in the sweep. */
  readonly saturated_at_rps: number | null;
}

export interface PaperTable {
  readonly platforms: readonly PlatformOverhead[];
  readonly operations: readonly OverheadRow[];
  readonly throughput: readonly ThroughputRow[];
}

/** Pairs of seb and direct summary rows of one scenario, platform and operation; sweep steps are left out. */
export function overheadRows(summary: readonly SummaryRow[]): OverheadRow[] {
  const rows = summary.filter((r) => offeredRateOf(r.scenario) === null);
  const out: OverheadRow[] = [];
  for (const group of groupBy(rows, (r) => [r.scenario, r.platform, r.operation].join('\0')).values()) {
    const seb = group.filter((r) => r.path === 'seb');
    const direct = group.filter((r) => r.path === 'direct');
    if (seb.length !== 1 || direct.length !== 1) continue;
    const s = seb[0] as SummaryRow;
    const d = direct[0] as SummaryRow;
    out.push({
      scenario: s.scenario,
      platform: s.platform,
      operation: s.operation,
      p50_direct_ms: d.p50_ms,
      p50_seb_ms: s.p50_ms,
      added_ms: round(s.p50_ms - d.p50_ms),
      ratio: d.p50_ms > 0 ? round(s.p50_ms / d.p50_ms, 3) : null,
      added_p99_ms: round(s.p99_ms - d.p99_ms),
    });
  }
  return out;
}

export function platformOverheads(rows: readonly OverheadRow[]): PlatformOverhead[] {
  return [...groupBy(rows, (r) => r.platform).values()].map((group) => {
    const first = group[0] as OverheadRow;
    const ratios = group.map((r) => r.ratio).filter((r): r is number => r !== null);
    const added = group.map((r) => r.added_ms);
    return {
      platform: first.platform,
      operations: group.length,
      paper_added_ms: PAPER.addedLatencyMs[first.platform] ?? null,
      added_ms: round(median(added)),
      ratio: ratios.length === 0 ? null : round(median(ratios), 3),
      min_added_ms: Math.min(...added),
      max_added_ms: Math.max(...added),
    };
  });
}

/** Per platform and path, over all its sweeps and operations: the best rate sustained before saturation. */
export function throughputRows(points: readonly SweepPoint[]): ThroughputRow[] {
  const out: ThroughputRow[] = [];
  for (const group of groupBy(points, (p) => `${p.platform}\0${p.path}`).values()) {
    const first = group[0] as SweepPoint;
    let sustained: number | null = null;
    let saturatedAt: number | null = null;
    for (const series of groupBy(group, (p) => [p.sweep, p.operation].join('\0')).values()) {
      const steps = [...series].sort((a, b) => a.offered_rps - b.offered_rps);
      const firstSaturated = steps.findIndex((s) => s.saturated);
      const before = firstSaturated === -1 ? steps : steps.slice(0, firstSaturated);
      for (const s of before) sustained = Math.max(sustained ?? 0, s.achieved_rps);
      if (firstSaturated !== -1) {
        const at = (steps[firstSaturated] as SweepPoint).offered_rps;
        saturatedAt = saturatedAt === null ? at : Math.max(saturatedAt, at);
      }
    }
    out.push({ platform: first.platform, path: first.path, sustained_rps: sustained === null ? null : round(sustained, 1), saturated_at_rps: saturatedAt });
  }
  return out;
}

export function paperTable(summary: readonly SummaryRow[], sweep: readonly SweepPoint[]): PaperTable {
  const operations = overheadRows(summary);
  return { platforms: platformOverheads(operations), operations, throughput: throughputRows(sweep) };
}
