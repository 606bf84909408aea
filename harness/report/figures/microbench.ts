// Microbenchmarks: operations per second of each task, one bar per thread
// count (and run), from microbench.csv (`seb bench micro`).
import type { TopLevelSpec } from 'vega-lite';
import type { MicrobenchRow } from '../run-data.js';
import { CONFIG, type Figure, type FigureContext } from './common.js';

/** Blues for thread counts; in compare mode the base run in greys, the new run in purples. */
const SINGLE = ['#a5d8ff', '#4dabf7', '#1c7ed6', '#1864ab'];
const BY_RUN = [
  ['#ced4da', '#868e96', '#495057', '#212529'],
  ['#d0bfff', '#9775fa', '#6741d9', '#5f3dc4'],
];

export interface MicroBar {
  readonly run: string;
  readonly name: string;
  readonly series: string;
  readonly ops_per_s: number;
  readonly p99_us: number;
}

const threadsLabel = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;

export function microBars(rows: readonly MicrobenchRow[], ctx: FigureContext): { bars: MicroBar[]; series: string[]; colors: string[] } {
  const threads = [...new Set(rows.map((r) => r.threads))].sort((a, b) => a - b);
  const series: string[] = [];
  const colors: string[] = [];
  ctx.runs.forEach((run, i) => {
    threads.forEach((t, j) => {
      series.push(ctx.runs.length > 1 ? `${run} · ${threadsLabel(t)}` : threadsLabel(t));
      const palette = ctx.runs.length > 1 ? (BY_RUN[i % BY_RUN.length] as string[]) : SINGLE;
      colors.push(palette[Math.min(palette.length - 1, j + (threads.length === 1 ? 2 : threads.length === 2 ? 1 : 0))] as string);
    });
  });
  const bars = rows.map((r) => ({ run: r.run, name: r.name, series: ctx.runs.length > 1 ? `${r.run} · ${threadsLabel(r.threads)}` : threadsLabel(r.threads), ops_per_s: r.ops_per_s, p99_us: r.p99_us }));
  return { bars, series, colors };
}

export function microbenchFigure(rows: readonly MicrobenchRow[], ctx: FigureContext): Figure | undefined {
  if (rows.length === 0) return undefined;
  const { bars, series, colors } = microBars(rows, ctx);
  const names = [...new Set(rows.map((r) => r.name))];
  const y = { field: 'name', type: 'nominal', title: null, sort: names, axis: { labelLimit: 220, labelFontSize: 12 } } as const;
  const yOffset = { field: 'series', type: 'nominal', sort: series, scale: { paddingInner: 0.1 } } as const;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: CONFIG,
    title: { text: 'Microbenchmarks', subtitle: 'Throughput of each task, all threads together' },
    width: 520,
    height: { step: 17 }, // per bar: with yOffset the step is one thread count's bar
    data: { values: bars },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y,
          yOffset,
          x: { field: 'ops_per_s', type: 'quantitative', title: 'Operations per second', axis: { tickCount: 6 } },
          color: { field: 'series', type: 'nominal', title: ctx.runs.length > 1 ? 'Run · threads' : 'Threads', sort: series, scale: { domain: series, range: colors } },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#343a40' },
        encoding: { y, yOffset, x: { field: 'ops_per_s', type: 'quantitative' }, text: { field: 'ops_per_s', type: 'quantitative', format: ',.0f' } },
      },
    ],
  };
  return {
    name: 'microbench',
    title: 'Microbenchmarks',
    caption: 'Operations per second of each task (predicates, digests, ledger, record log), summed over the threads run side by side; the number at each bar is the rate.',
    spec: spec as unknown as TopLevelSpec,
  };
}
