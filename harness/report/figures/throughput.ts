// Throughput against latency: for each step of a rate sweep, the rate each
// path achieved and its p99 latency; a cross marks the first step at which
// the path saturated. Drawn from sweep.csv, else from summary.csv's sweep
// steps (scenarios named `<name>@<rate>rps`, as the runner names them).
import type { TopLevelSpec } from 'vega-lite';
import { isSaturated, saturationPoint } from '../../load/saturation.js';
import type { SaturationCriteria } from '../../scenario/schema.js';
import type { SummaryRow, SweepRow } from '../run-data.js';
import { CONFIG, PATH_COLORS, PATHS, RUN_DASHES, RUN_SHAPES, columnsFor, groupBy, offeredRateOf, panelTitle, runScale, sweepName, type Figure, type FigureContext } from './common.js';

export interface SweepPoint {
  readonly run: string;
  readonly sweep: string;
  readonly platform: string;
  readonly operation: string;
  readonly path: string;
  readonly offered_rps: number;
  readonly achieved_rps: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly saturated: boolean;
}

/** The scenario schema's defaults (harness/scenario/schema.ts), for summary rows that carry no verdict. */
export const DEFAULT_SATURATION: SaturationCriteria = { min_achieved_ratio: 0.9, max_error_ratio: 0.01 };

export function sweepPointsFromSweep(rows: readonly SweepRow[]): SweepPoint[] {
  return rows.map((r) => ({
    run: r.run,
    sweep: sweepName(r.scenario),
    platform: r.platform,
    path: r.path,
    operation: r.operation,
    offered_rps: r.offered_rps,
    achieved_rps: r.achieved_rps,
    p50_ms: r.p50_ms,
    p99_ms: r.p99_ms,
    saturated: r.saturated,
  }));
}

/** Summary rows of sweep steps; achieved counts executed requests only, as sweep.csv does. */
export function sweepPointsFromSummary(rows: readonly SummaryRow[], criteria = DEFAULT_SATURATION): SweepPoint[] {
  const points: SweepPoint[] = [];
  for (const r of rows) {
    const offered = offeredRateOf(r.scenario);
    if (offered === null) continue;
    const achieved = r.count > 0 ? (r.rate_rps * (r.count - r.errors)) / r.count : 0;
    const step = { offered_rps: offered, achieved_rps: achieved, count: r.count, errors: r.errors, p99_ms: r.p99_ms };
    points.push({ run: r.run, sweep: sweepName(r.scenario), platform: r.platform, path: r.path, operation: r.operation, ...step, p50_ms: r.p50_ms, saturated: isSaturated(step, criteria).saturated });
  }
  return points;
}

export interface SaturationMark {
  readonly key: string;
  readonly offered_rps: number;
}

/** Per series (run, sweep, platform, operation, path), the first offered rate at which it saturated. */
export function saturationMarks(points: readonly SweepPoint[]): Map<string, number> {
  const marks = new Map<string, number>();
  for (const [key, steps] of groupBy(points, seriesKey)) {
    const at = saturationPoint([...steps].sort((a, b) => a.offered_rps - b.offered_rps)).saturated_at_rps;
    if (at !== null) marks.set(key, at);
  }
  return marks;
}

const seriesKey = (p: SweepPoint) => [p.run, p.sweep, p.platform, p.operation, p.path].join('\0');

/** One run's sweep steps: from its sweep.csv when that has rows, else from its summary.csv. */
export function sweepPointsOf(run: { readonly sweep?: readonly SweepRow[]; readonly summary?: readonly SummaryRow[] }): { points: SweepPoint[]; from: 'sweep.csv' | 'summary.csv' } {
  if (run.sweep !== undefined && run.sweep.length > 0) return { points: sweepPointsFromSweep(run.sweep), from: 'sweep.csv' };
  return { points: sweepPointsFromSummary(run.summary ?? []), from: 'summary.csv' };
}

export function throughputFigure(runs: readonly { readonly sweep?: readonly SweepRow[]; readonly summary?: readonly SummaryRow[] }[], ctx: FigureContext): Figure | undefined {
  const sources = runs.map(sweepPointsOf).filter((s) => s.points.length > 0);
  const points = sources.flatMap((s) => s.points);
  if (points.length === 0) return undefined;
  const fromSweep = sources.some((s) => s.from === 'sweep.csv');
  const from = [...new Set(sources.map((s) => s.from))].join(' and ');
  const marks = saturationMarks(points);
  const sweeps = new Set(points.map((p) => p.sweep));
  const panelOf = (p: SweepPoint) => (sweeps.size > 1 ? `${p.sweep}: ${panelTitle(ctx, p.platform, p.operation, 'sweep')}` : panelTitle(ctx, p.platform, p.operation, 'sweep'));
  const widest = new Map<string, number>();
  for (const p of points) widest.set(panelOf(p), Math.max(widest.get(panelOf(p)) ?? 0, p.achieved_rps));
  const values = [...points]
    .sort((a, b) => a.offered_rps - b.offered_rps)
    .map((p) => {
      const at = marks.get(seriesKey(p));
      const first = at === p.offered_rps;
      // Labels of marks in the right half of a panel go to their left, so they stay inside it.
      const side = p.achieved_rps > 0.5 * (widest.get(panelOf(p)) ?? 0) ? 'left' : 'right';
      return { ...p, panel: panelOf(p), series: seriesKey(p).replaceAll('\0', ' | '), first_saturated: first, side, label: first ? ['saturated at', `${at} rps offered`] : '' };
    });
  const panels = [...new Set(values.map((v) => v.panel))];
  const x = { field: 'achieved_rps', type: 'quantitative', title: 'Throughput achieved (requests/s)' } as const;
  const y = { field: 'p99_ms', type: 'quantitative', title: 'p99 latency (ms, log)', scale: { type: 'log' }, axis: { tickCount: 4, format: '~s' } } as const;
  const color = {
    field: 'path',
    type: 'nominal',
    title: 'Path',
    scale: { domain: [...PATHS], range: PATHS.map((p) => PATH_COLORS[p]) },
    legend: { orient: 'top', labelExpr: "datum.label == 'seb' ? 'SEB (brokered)' : 'direct (standing credential)'" },
  } as const;
  const byRun = ctx.runs.length > 1;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: CONFIG,
    title: { text: 'Throughput against latency', subtitle: 'Open-loop sweep of offered rates; × marks the first step at which a path saturated' },
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels, header: { labelFontSize: 12, labelPadding: 6 } },
    columns: columnsFor(panels.length),
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 280,
      height: 210,
      layer: [
        {
          mark: { type: 'line', point: { filled: true, size: 36 }, strokeWidth: 2 },
          encoding: {
            x,
            y,
            color,
            detail: { field: 'series', type: 'nominal' },
            order: { field: 'offered_rps', type: 'quantitative' },
            ...(byRun
              ? { strokeDash: { field: 'run', type: 'nominal', title: 'Run', scale: runScale(ctx, RUN_DASHES as unknown as number[][]) }, shape: { field: 'run', type: 'nominal', title: 'Run', scale: runScale(ctx, RUN_SHAPES) } }
              : {}),
          },
        },
        {
          transform: [{ filter: 'datum.first_saturated' }],
          mark: { type: 'point', shape: 'cross', angle: 45, size: 300, filled: true, stroke: 'black', strokeWidth: 0.8 },
          encoding: { x, y, color },
        },
        // With one run, each × is labelled; with two the labels would collide, and the tables beside the paper give the rates per run.
        ...(byRun ? [] : (['left', 'right'] as const)).map((side) => ({
          transform: [{ filter: `datum.first_saturated && datum.side == '${side}'` }],
          mark: { type: 'text', align: side === 'left' ? 'right' : 'left', dx: side === 'left' ? -12 : 12, dy: -6, fontSize: 11, lineHeight: 13, color: '#343a40' },
          encoding: { x, y, text: { field: 'label', type: 'nominal' } },
        })),
      ],
    },
  };
  return {
    name: 'throughput',
    title: 'Throughput against latency',
    caption: `Each point is one step of a rate sweep (from ${from}): the rate of executed requests the path achieved, and its p99 latency. × marks the first offered rate at which the path saturated: ${fromSweep ? "as the runner judged it by the scenario's criteria (by default" : '(judged here by the scenario defaults:'} achieved under ${DEFAULT_SATURATION.min_achieved_ratio * 100}% of the offered rate, or more than ${DEFAULT_SATURATION.max_error_ratio * 100}% of requests failed).`,
    spec: spec as unknown as TopLevelSpec,
  };
}
