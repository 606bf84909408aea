// The regression gate CI runs: what the brokered path costs relative to the
// direct path, each measured side by side in one run, compared between a
// baseline run and a new one. A ratio from one run survives a noisy machine
// (both paths share its noise) far better than an absolute latency against a
// committed baseline. Per platform:
//   p50         median over the latency scenarios' operations of SEB p50 / direct p50
//   cpu         median over the cost rows (latency operations, the sweep's common step)
//               of SEB CPU per mutation / direct's, all measured processes together
//   throughput  direct's sustained rate / SEB's (higher is worse, like the others)
//   requests    median over the same cost rows of the requests the platform served
//               per SEB mutation / per direct one, as the platform counted them: a
//               change that adds a platform call to every execution shows here
//               whatever the machine's noise
// A metric fails when the new ratio exceeds 1 + threshold x (base - 1): with
// threshold 1.5, a change that doubles what the broker adds fails. The added
// part of the base is taken as at least OVERHEAD_FLOOR, so a baseline whose
// broker adds almost nothing does not turn noise into failures.
// p50, CPU per mutation and platform requests gate (a doubled broker cost
// shows in the first two, an added platform call in the third). Throughput is
// compared and shown, not gated: the quick sweep's sustained rate moved 2x
// between two runs of the same code on this 2-core machine.
import { InvalidInputError } from '../broker/core/errors.js';
import { costRows, costScenarios } from './report/cost-table.js';
import { median, round } from './report/figures/common.js';
import { requestCostRows } from './report/platform-request-table.js';
import { sweepPointsFromSweep } from './report/figures/throughput.js';
import { paperTable } from './report/paper-table.js';
import { latencyScenariosOf, loadRun, type RunData } from './report/run-data.js';

export const RATIO_METRICS = ['p50', 'cpu', 'requests', 'throughput'] as const;
export type RatioMetric = (typeof RATIO_METRICS)[number];

export const OVERHEAD_FLOOR = 0.25;

/** The metrics that fail the gate; the others are reported beside them. */
export const GATED_METRICS: readonly RatioMetric[] = ['p50', 'cpu', 'requests'];

export interface RunRatio {
  readonly platform: string;
  readonly metric: RatioMetric;
  readonly value: number;
}

export interface ComparedRatio {
  readonly platform: string;
  readonly metric: RatioMetric;
  readonly base: number | null;
  readonly next: number | null;
  /** The largest new ratio that passes; null when a side is missing. */
  readonly limit: number | null;
  readonly verdict: 'ok' | 'worse' | 'worse (not gated)' | 'only-in-base' | 'only-in-new';
}

export interface RatioComparison {
  readonly threshold: number;
  readonly rows: readonly ComparedRatio[];
  readonly failed: boolean;
}

/** The SEB/direct ratios of one run folder (summary.csv, sweep.csv, cpu.csv, platform-requests.csv, meta.json). */
export function runRatios(run: RunData): RunRatio[] {
  const latency = latencyScenariosOf(run.meta);
  const summary = (run.summary ?? []).filter((r) => latency === undefined || latency.has(r.scenario));
  const points = sweepPointsFromSweep(run.sweep ?? []);
  const table = paperTable(summary, points);
  const cpu = run.cpu ?? [];
  const scenarios = costScenarios(cpu, [...(latency ?? [])], points);
  const cost = costRows(cpu, scenarios);
  const requests = requestCostRows(run.platformRequests ?? [], scenarios).map((r) => ({ platform: r.platform, ratio: r.seb !== null && r.direct !== null && r.direct.total > 0 ? r.seb.total / r.direct.total : null }));
  const out: RunRatio[] = [];
  for (const p of table.platforms) if (p.ratio !== null) out.push({ platform: p.platform, metric: 'p50', value: p.ratio });
  for (const [metric, rows] of [['cpu', cost], ['requests', requests]] as const) {
    for (const platform of new Set(rows.map((c) => c.platform))) {
      const ratios = rows.filter((c) => c.platform === platform).map((c) => c.ratio).filter((r): r is number => r !== null);
      if (ratios.length > 0) out.push({ platform, metric, value: round(median(ratios), 3) });
    }
  }
  for (const platform of new Set(table.throughput.map((t) => t.platform))) {
    const of = (path: string) => table.throughput.find((t) => t.platform === platform && t.path === path)?.sustained_rps ?? null;
    const seb = of('seb');
    const direct = of('direct');
    if (direct !== null) out.push({ platform, metric: 'throughput', value: seb === null || seb === 0 ? Infinity : round(direct / seb, 3) });
  }
  return out;
}

export function limitFor(base: number, threshold: number): number {
  return round(1 + threshold * Math.max(base - 1, OVERHEAD_FLOOR), 3);
}

export function compareRatios(base: readonly RunRatio[], next: readonly RunRatio[], threshold: number): RatioComparison {
  if (!(threshold > 0)) throw new InvalidInputError(`threshold must be a positive number, got ${threshold}`);
  const key = (r: Pick<RunRatio, 'platform' | 'metric'>) => `${r.platform}\0${r.metric}`;
  const nextByKey = new Map(next.map((r) => [key(r), r]));
  const rows: ComparedRatio[] = base.map((b) => {
    const n = nextByKey.get(key(b));
    if (n === undefined) return { platform: b.platform, metric: b.metric, base: b.value, next: null, limit: null, verdict: 'only-in-base' };
    const limit = limitFor(b.value, threshold);
    const verdict = n.value <= limit ? 'ok' : GATED_METRICS.includes(b.metric) ? 'worse' : 'worse (not gated)';
    return { platform: b.platform, metric: b.metric, base: b.value, next: n.value, limit, verdict };
  });
  const baseKeys = new Set(base.map(key));
  for (const n of next) if (!baseKeys.has(key(n))) rows.push({ platform: n.platform, metric: n.metric, base: null, next: n.value, limit: null, verdict: 'only-in-new' });
  // A metric the baseline has and the new run lost is a failure too: a gate that measures nothing passes everything.
  return { threshold, rows, failed: rows.some((r) => r.verdict === 'worse' || (r.verdict === 'only-in-base' && GATED_METRICS.includes(r.metric))) };
}

export function compareRunRatios(baseDir: string, newDir: string, threshold: number): RatioComparison {
  return compareRatios(runRatios(loadRun(baseDir)), runRatios(loadRun(newDir)), threshold);
}

export function formatRatioComparison(c: RatioComparison): string {
  const fmt = (n: number | null) => (n === null ? '-' : Number.isFinite(n) ? `${n.toFixed(2)}x` : 'inf');
  const header = ['platform', 'SEB / direct', 'base', 'new', 'limit', 'verdict'];
  const what: Record<RatioMetric, string> = { p50: 'p50 latency', cpu: 'CPU per mutation', requests: 'platform requests per mutation', throughput: 'throughput (direct / SEB)' };
  const body = c.rows.map((r) => [r.platform, what[r.metric], fmt(r.base), fmt(r.next), fmt(r.limit), r.verdict]);
  const widths = header.map((h, k) => Math.max(h.length, ...body.map((row) => (row[k] as string).length)));
  const line = (cells: string[]) => cells.map((cell, k) => cell.padEnd(widths[k] as number)).join('  ').trimEnd();
  const verdict = c.failed
    ? `FAIL: the broker's cost relative to direct grew past 1 + ${c.threshold} x (base - 1), or a ratio the baseline has is missing`
    : `ok: every gated SEB/direct ratio (${GATED_METRICS.join(', ')}) within 1 + ${c.threshold} x (base - 1)`;
  return [line(header), ...body.map(line), '', verdict].join('\n');
}
