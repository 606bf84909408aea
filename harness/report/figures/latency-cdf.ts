// Latency distribution: the share of executed requests at or under each
// latency, SEB against direct, one panel per platform and mutation kind.
import type { TopLevelSpec } from 'vega-lite';
import type { RequestRow } from '../run-data.js';
import { CONFIG, PATH_COLORS, PATHS, RUN_DASHES, columnsFor, groupBy, offeredRateOf, ofLatencyScenarios, panelLabel, panelTitle, round, runScale, type Figure, type FigureContext } from './common.js';

export interface CdfPoint {
  readonly run: string;
  readonly platform: string;
  readonly panel: string;
  readonly path: string;
  readonly latency_ms: number;
  /** Share of the series' requests with latency at or under latency_ms. */
  readonly fraction: number;
}

/**
 * The requests a latency distribution is about: executed, from a latency
 * scenario when meta.json says which those are, not a sweep step (those are
 * the throughput figure's), and from a scenario that measured the mutation
 * both ways. When no scenario did, every executed non-sweep request.
 */
export function latencyRows(rows: readonly RequestRow[], ctx: FigureContext = { runs: [] }): RequestRow[] {
  const candidates = ofLatencyScenarios(rows, ctx).filter((r) => r.outcome === 'executed' && offeredRateOf(r.scenario) === null);
  const groups = groupBy(candidates, (r) => [r.run, r.scenario, r.platform, r.operation].join('\0'));
  const paired = [...groups.values()].filter((g) => PATHS.every((p) => g.some((r) => r.path === p))).flat();
  return paired.length > 0 ? paired : candidates;
}

/** At most maxPoints points per series, evenly spaced in rank, always including the fastest and slowest. */
export function cdfPoints(rows: readonly RequestRow[], ctx: FigureContext, maxPoints = 200): CdfPoint[] {
  const points: CdfPoint[] = [];
  for (const group of groupBy(rows, (r) => [r.run, r.platform, r.operation, r.path].join('\0')).values()) {
    const first = group[0] as RequestRow;
    const sorted = group.map((r) => r.latency_ms).sort((a, b) => a - b);
    const n = sorted.length;
    const m = Math.min(n, maxPoints);
    let last = -1;
    for (let j = 0; j < m; j++) {
      const i = m === 1 ? n - 1 : Math.round((j * (n - 1)) / (m - 1));
      if (i === last) continue;
      last = i;
      points.push({ run: first.run, platform: first.platform, panel: panelTitle(ctx, first.platform, first.operation), path: first.path, latency_ms: round(Math.max(sorted[i] as number, 0.001)), fraction: round((i + 1) / n, 5) });
    }
  }
  return points;
}

export function latencyCdfFigure(rows: readonly RequestRow[], ctx: FigureContext): Figure | undefined {
  const selected = latencyRows(rows, ctx);
  if (selected.length === 0) return undefined;
  const points = cdfPoints(selected, ctx);
  const panels = [...new Set(points.map((p) => p.panel))];
  const pairs = [...new Set(selected.map((r) => panelLabel(r.platform, r.operation)))];
  const panel = {
    width: 280,
    height: 180,
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2, clip: true },
    encoding: {
      x: { field: 'latency_ms', type: 'quantitative', scale: { type: 'log', nice: false }, title: 'Latency (ms, log scale)', axis: { tickCount: 6, format: '~s' } },
      y: {
        field: 'fraction',
        type: 'quantitative',
        scale: { domain: [0, 1] },
        title: 'Share of requests ≤ latency',
        axis: { format: '.0%', values: [0, 0.25, 0.5, 0.75, 0.9, 1] },
      },
      color: {
        field: 'path',
        type: 'nominal',
        title: 'Path',
        scale: { domain: [...PATHS], range: PATHS.map((p) => PATH_COLORS[p]) },
        legend: { orient: 'top', labelExpr: "datum.label == 'seb' ? 'SEB (brokered)' : 'direct (standing credential)'" },
      },
      ...(ctx.runs.length > 1 ? { strokeDash: { field: 'run', type: 'nominal', title: 'Run', legend: { orient: 'top' }, scale: runScale(ctx, RUN_DASHES as unknown as number[][]) } } : {}),
      detail: { field: 'run', type: 'nominal' },
      order: { field: 'fraction', type: 'quantitative' },
    },
  };
  // One row of panels per platform, so each platform's mutation kinds line up.
  const platforms = [...new Set(points.map((p) => p.platform))];
  const rowsFor = (platform: string) => ({
    transform: [{ filter: { field: 'platform', equal: platform } }],
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels, header: { labelFontSize: 12, labelPadding: 6 } },
    columns: columnsFor(new Set(points.filter((p) => p.platform === platform).map((p) => p.panel)).size, 4),
    resolve: { scale: { x: 'independent' } },
    spec: panel,
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: CONFIG,
    title: { text: 'Latency distribution: SEB against direct', subtitle: 'Executed requests, one panel per platform and mutation kind' },
    data: { values: points },
    ...(platforms.length === 1 ? rowsFor(platforms[0] as string) : { vconcat: platforms.map(rowsFor), spacing: 24 }),
  } as unknown as TopLevelSpec;
  return {
    name: 'latency-cdf',
    title: 'Latency distribution',
    caption: `Cumulative share of executed requests at or under each latency, for ${pairs.length} platform and mutation kind${pairs.length === 1 ? '' : 's'}; the gap between the two curves at 50% is the broker's added median latency. Sweep steps are left out (see throughput).`,
    spec,
  };
}
