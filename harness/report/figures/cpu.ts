// What a mutation costs: CPU milliseconds per executed mutation, stacked by
// process (platform, broker, load generator), SEB beside direct, for each
// latency operation and each sweep's highest rate both paths sustained
// (report/cost-table.ts picks them). Drawn from cpu.csv.
import type { TopLevelSpec } from 'vega-lite';
import { costRows, costScenarios } from '../cost-table.js';
import type { CpuRow, SweepRow } from '../run-data.js';
import { sweepPointsFromSweep } from './throughput.js';
import { CONFIG, round, withRun, type Figure, type FigureContext } from './common.js';

export interface CpuSegment {
  readonly bar: string;
  readonly path: string;
  readonly process: string;
  readonly ms: number;
  readonly x0: number;
  readonly x1: number;
}

/** Per run, scenario, operation and path: one segment per process, stacked in the order the processes appear. */
export function cpuSegments(runs: readonly { readonly label: string; readonly cpu?: readonly CpuRow[]; readonly sweep?: readonly SweepRow[] }[], ctx: FigureContext): CpuSegment[] {
  const out: CpuSegment[] = [];
  for (const run of runs) {
    const cpu = run.cpu ?? [];
    const latency = [...(ctx.latencyScenarios ?? new Set(cpu.map((r) => r.scenario).filter((s) => !s.includes('@'))))];
    for (const row of costRows(cpu, costScenarios(cpu, latency, sweepPointsFromSweep(run.sweep ?? [])))) {
      for (const [path, cost] of [['seb', row.seb], ['direct', row.direct]] as const) {
        if (cost === null) continue;
        const bar = withRun(ctx, `${row.platform}/${row.operation} ${row.scenario} · ${path}`, run.label);
        let x = 0;
        for (const [process, ms] of Object.entries(cost.by_process)) {
          out.push({ bar, path, process, ms, x0: round(x), x1: round(x + ms) });
          x += ms;
        }
      }
    }
  }
  return out;
}

export function cpuFigure(runs: readonly { readonly label: string; readonly cpu?: readonly CpuRow[]; readonly sweep?: readonly SweepRow[] }[], ctx: FigureContext): Figure | undefined {
  const segments = cpuSegments(runs, ctx);
  if (segments.length === 0) return undefined;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: CONFIG,
    title: { text: 'CPU per mutation, by process', subtitle: 'Milliseconds of CPU per executed mutation over the measured blocks, SEB beside direct' },
    data: { values: segments },
    width: 560,
    height: { step: 22 },
    mark: { type: 'bar', stroke: 'white', strokeWidth: 0.5 },
    encoding: {
      y: { field: 'bar', type: 'nominal', title: null, sort: null, axis: { labelLimit: 460 } },
      x: { field: 'x0', type: 'quantitative', title: 'CPU ms per executed mutation (stacked by process)' },
      x2: { field: 'x1' },
      color: { field: 'process', type: 'nominal', title: 'Process' },
      tooltip: [{ field: 'bar' }, { field: 'process' }, { field: 'ms', title: 'ms' }],
    },
  };
  return {
    name: 'cpu',
    title: 'CPU per mutation',
    caption:
      'CPU time (user + system, from /proc) each process spent over the measured blocks, divided by the mutations they executed: at low load (latency scenarios) and at the highest offered rate of each sweep that both paths sustained. The load generator also signs the certificates of the brokered path (the SAB\'s work).',
    spec: spec as unknown as TopLevelSpec,
  };
}
