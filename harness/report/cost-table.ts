// What a mutation costs in CPU, brokered beside direct, from cpu.csv: at low
// load (the latency scenarios, one request at a time) and in each sweep at
// the highest offered rate both paths sustained, so the two paths are
// compared at the same rate. Totals add every measured process (platform,
// broker, load generator); the ratio is SEB's total over direct's.
import { groupBy, round } from './figures/common.js';
import type { SweepPoint } from './figures/throughput.js';
import type { CpuRow } from './run-data.js';

export interface PathCost {
  readonly mutations: number;
  /** All processes together, per executed mutation. */
  readonly total_ms: number;
  readonly by_process: Readonly<Record<string, number>>;
}

export interface CostRow {
  /** The cpu.csv scenario: a latency scenario's name, or a sweep step `<name>@<rate>rps`. */
  readonly scenario: string;
  readonly platform: string;
  readonly operation: string;
  readonly seb: PathCost | null;
  readonly direct: PathCost | null;
  /** seb.total_ms / direct.total_ms; null without both. */
  readonly ratio: number | null;
}

function pathCost(rows: readonly CpuRow[]): PathCost | null {
  const mutations = Math.max(0, ...rows.map((r) => r.mutations));
  if (mutations === 0) return null;
  const byProcess: Record<string, number> = {};
  for (const r of rows) byProcess[r.process] = round(r.cpu_ms / mutations, 2);
  return { mutations, total_ms: round(rows.reduce((n, r) => n + r.cpu_ms, 0) / mutations, 2), by_process: byProcess };
}

/** The highest offered rate of each sweep and operation at which neither path had saturated. */
export function commonSustainedSteps(points: readonly SweepPoint[]): { sweep: string; platform: string; operation: string; rate: number }[] {
  const out: { sweep: string; platform: string; operation: string; rate: number }[] = [];
  for (const series of groupBy(points, (p) => [p.sweep, p.platform, p.operation].join('\0')).values()) {
    const first = series[0] as SweepPoint;
    const sustainedBy = (path: string) => {
      const steps = series.filter((p) => p.path === path).sort((a, b) => a.offered_rps - b.offered_rps);
      const at = steps.findIndex((s) => s.saturated);
      return new Set((at === -1 ? steps : steps.slice(0, at)).map((s) => s.offered_rps));
    };
    const direct = sustainedBy('direct');
    const both = [...sustainedBy('seb')].filter((r) => direct.has(r));
    if (both.length > 0) out.push({ sweep: first.sweep, platform: first.platform, operation: first.operation, rate: Math.max(...both) });
  }
  return out;
}

export function costRows(cpu: readonly CpuRow[], scenarios: readonly { scenario: string; platform: string; operation: string }[]): CostRow[] {
  return scenarios.flatMap((s) => {
    const rows = cpu.filter((r) => r.scenario === s.scenario && r.platform === s.platform && r.operation === s.operation);
    if (rows.length === 0) return [];
    const seb = pathCost(rows.filter((r) => r.path === 'seb'));
    const direct = pathCost(rows.filter((r) => r.path === 'direct'));
    return [{ ...s, seb, direct, ratio: seb !== null && direct !== null && direct.total_ms > 0 ? round(seb.total_ms / direct.total_ms, 3) : null }];
  });
}

/** The scenarios to cost: every latency scenario's operations, and each sweep's highest common sustained step. */
export function costScenarios(cpu: readonly CpuRow[], latencyScenarios: readonly string[], points: readonly SweepPoint[]): { scenario: string; platform: string; operation: string }[] {
  const latency = [...groupBy(cpu.filter((r) => latencyScenarios.includes(r.scenario)), (r) => [r.scenario, r.platform, r.operation].join('\0')).values()].map((g) => {
    const r = g[0] as CpuRow;
    return { scenario: r.scenario, platform: r.platform, operation: r.operation };
  });
  const sweeps = commonSustainedSteps(points).map((s) => ({ scenario: `${s.sweep}@${s.rate}rps`, platform: s.platform, operation: s.operation }));
  return [...latency, ...sweeps];
}
