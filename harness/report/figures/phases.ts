// Where the time goes: the median of each phase of a brokered request,
// stacked, per platform and operation; a black tick marks the median latency
// of the same mutation made directly.
import type { TopLevelSpec } from 'vega-lite';
import { PHASES, type Phase } from '../../../broker/broker.js';
import type { RequestRow } from '../run-data.js';
import { CONFIG, groupBy, median, offeredRateOf, ofLatencyScenarios, operationTitle, round, withRun, type Figure, type FigureContext } from './common.js';

export interface PhaseBar {
  readonly run: string;
  readonly platform: string;
  readonly operation: string;
  readonly bar: string;
  readonly phase: Phase;
  /** Median of this phase over the bar's requests that recorded it. */
  readonly ms: number;
  /** Where the segment starts and ends on the stacked bar. */
  readonly x0: number;
  readonly x1: number;
}

export interface BarMark {
  readonly platform: string;
  readonly bar: string;
  readonly ms: number;
}

/** Tableau 10, in phase order: verify, ledger, drift, record, mint, invoke, retire, outcome. */
const PHASE_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7'];

/** Per run, platform and operation: the stacked phase medians, their sum, and the direct path's median latency. */
export function phaseBars(rows: readonly RequestRow[], ctx: FigureContext): { bars: PhaseBar[]; totals: BarMark[]; ticks: BarMark[] } {
  const measured = ofLatencyScenarios(rows, ctx).filter((r) => r.outcome === 'executed' && offeredRateOf(r.scenario) === null);
  const bars: PhaseBar[] = [];
  const totals: BarMark[] = [];
  const ticks: BarMark[] = [];
  for (const group of groupBy(measured.filter((r) => r.path === 'seb'), (r) => [r.run, r.platform, r.operation].join('\0')).values()) {
    const first = group[0] as RequestRow;
    // Compare mode: the note on what worsened goes on the new (last) run's bar only.
    const isLast = first.run === ctx.runs[ctx.runs.length - 1];
    const bar = withRun(ctx, isLast ? operationTitle(ctx, first.platform, first.operation) : first.operation, first.run);
    const platform = first.platform;
    let x = 0;
    for (const phase of PHASES) {
      const values = group.map((r) => r[`${phase}_ms`]).filter((v): v is number => v !== null);
      if (values.length === 0) continue;
      const ms = round(median(values));
      bars.push({ run: first.run, platform, operation: first.operation, bar, phase, ms, x0: round(x), x1: round(x + ms) });
      x += ms;
    }
    if (x === 0) continue;
    totals.push({ platform, bar, ms: round(x) });
    const direct = measured.filter((r) => r.path === 'direct' && r.run === first.run && r.platform === first.platform && r.operation === first.operation);
    if (direct.length > 0) ticks.push({ platform, bar, ms: round(median(direct.map((r) => r.latency_ms))) });
  }
  return { bars, totals, ticks };
}

export function phasesFigure(rows: readonly RequestRow[], ctx: FigureContext): Figure | undefined {
  const { bars, totals, ticks } = phaseBars(rows, ctx);
  if (bars.length === 0) return undefined;
  const present = PHASES.filter((p) => bars.some((b) => b.phase === p));
  const platforms = [...new Set(bars.map((b) => b.platform))];
  const values = [
    ...bars.map((b) => ({ ...b, kind: 'phase' })),
    ...totals.map((t) => ({ ...t, kind: 'total', label: `${t.ms.toFixed(1)} ms` })),
    ...ticks.map((t) => ({ ...t, kind: 'direct' })),
  ];
  const only = (kind: string) => ({ filter: { field: 'kind', equal: kind } });
  // One panel per platform, each with its own millisecond axis: AWS's mint would flatten Kubernetes otherwise.
  const panel = (platform: string) => {
    // Each operation's runs side by side: base, then new.
    const mine = bars.filter((b) => b.platform === platform);
    const operations = [...new Set(mine.map((b) => b.operation))];
    const order = [...new Set([...mine].sort((a, b) => operations.indexOf(a.operation) - operations.indexOf(b.operation) || ctx.runs.indexOf(a.run) - ctx.runs.indexOf(b.run)).map((b) => b.bar))];
    const y = { field: 'bar', type: 'nominal', title: null, sort: order, axis: { labelLimit: 420, labelColor: { condition: { test: "indexof(datum.label, '▲') >= 0", value: '#c92a2a' }, value: '#000000' } } };
    return {
      title: { text: platform, fontSize: 13, anchor: 'start', offset: 6 },
      width: 560,
      height: { step: 28 },
      transform: [{ filter: { field: 'platform', equal: platform } }],
      layer: [
        {
          transform: [only('phase')],
          mark: { type: 'bar', stroke: 'white', strokeWidth: 0.5 },
          encoding: {
            y,
            x: { field: 'x0', type: 'quantitative', title: 'Milliseconds (median of each phase, stacked)' },
            x2: { field: 'x1' },
            color: { field: 'phase', type: 'nominal', title: 'Phase', scale: { domain: [...PHASES], range: PHASE_COLORS }, legend: { values: present } },
          },
        },
        {
          transform: [only('total')],
          mark: { type: 'text', align: 'left', dx: 5, fontSize: 11, color: '#343a40' },
          encoding: { y, x: { field: 'ms', type: 'quantitative' }, text: { field: 'label', type: 'nominal' } },
        },
        {
          transform: [only('direct')],
          mark: { type: 'tick', color: 'black', thickness: 3, size: 30 },
          encoding: { y, x: { field: 'ms', type: 'quantitative' } },
        },
      ],
    };
  };
  const title = { text: 'Where the time goes in a brokered request', subtitle: 'Median of each phase, stacked; black tick: median latency of the same mutation made directly' };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: CONFIG,
    data: { values },
    ...(platforms.length === 1
      ? { ...panel(platforms[0] as string), title: { ...title, text: `${title.text}: ${platforms[0]}` } }
      : { title, vconcat: platforms.map(panel), spacing: 20, resolve: { scale: { x: 'independent', y: 'independent', color: 'shared' } } }),
  };
  return {
    name: 'phases',
    title: 'Where the time goes',
    caption:
      'Per platform and operation, the median milliseconds of each phase of an executed brokered request (verify, ledger, drift, record, mint, invoke, retire, outcome), stacked; the number is their sum, which need not equal the median latency. The black tick is the median latency of the direct path.',
    spec: spec as unknown as TopLevelSpec,
  };
}
