// Revocation propagation per broker: how long after a revocation each broker
// first denied, and how many requests it still accepted after it (must be 0).
import type { TopLevelSpec } from 'vega-lite';
import type { RevocationRow } from '../run-data.js';
import { CONFIG, RUN_COLORS, groupBy, median, round, runScale, withRun, type Figure, type FigureContext } from './common.js';

export interface BrokerRevocation {
  readonly run: string;
  readonly broker: string;
  readonly events: number;
  /** Events after which this broker never denied in the run. */
  readonly never: number;
  readonly median_ms: number | null;
  readonly accepted_after_revoke: number;
}

export function brokerRevocations(rows: readonly RevocationRow[], ctx: FigureContext): BrokerRevocation[] {
  return [...groupBy(rows, (r) => `${r.run}\0${r.broker}`).values()].map((group) => {
    const first = group[0] as RevocationRow;
    const times = group.map((r) => r.propagation_ms).filter((v): v is number => v !== null);
    return {
      run: first.run,
      broker: withRun(ctx, first.broker, first.run),
      events: group.length,
      never: group.length - times.length,
      median_ms: times.length === 0 ? null : round(median(times)),
      accepted_after_revoke: group.reduce((sum, r) => sum + r.accepted_after_revoke, 0),
    };
  });
}

export function revocationFigure(rows: readonly RevocationRow[], ctx: FigureContext): Figure | undefined {
  if (rows.length === 0) return undefined;
  const brokers = brokerRevocations(rows, ctx);
  const order = brokers.map((b) => b.broker);
  const most = Math.max(1, ...brokers.map((b) => b.accepted_after_revoke));
  const points = rows.filter((r) => r.propagation_ms !== null).map((r) => ({ run: r.run, broker: withRun(ctx, r.broker, r.run), event: r.event, propagation_ms: r.propagation_ms }));
  const y = { field: 'broker', type: 'nominal', title: 'Broker', sort: order } as const;
  const color = ctx.runs.length > 1 ? { color: { field: 'run', type: 'nominal', title: 'Run', scale: runScale(ctx, RUN_COLORS) } } : {};
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: CONFIG,
    title: { text: 'Revocation propagation per broker', subtitle: 'Time from a revocation to the broker’s first denial; requests accepted after it' },
    hconcat: [
      {
        width: 380,
        height: { step: 30 },
        layer: [
          {
            data: { values: points },
            mark: { type: 'point', filled: true, size: 50, opacity: 0.6, color: '#1c7ed6' },
            encoding: { y, x: { field: 'propagation_ms', type: 'quantitative', title: 'Propagation (ms, revocation to first deny)' }, ...color },
          },
          {
            data: { values: brokers.filter((b) => b.median_ms !== null) },
            mark: { type: 'tick', color: 'black', thickness: 2.5, size: 22 },
            encoding: { y, x: { field: 'median_ms', type: 'quantitative' } },
          },
        ],
      },
      {
        width: 200,
        height: { step: 30 },
        data: { values: brokers.map((b) => ({ ...b, bad: b.accepted_after_revoke > 0 })) },
        layer: [
          {
            mark: { type: 'bar' },
            encoding: {
              y: { ...y, axis: null },
              x: { field: 'accepted_after_revoke', type: 'quantitative', title: 'Accepted after revocation (must be 0)', scale: { domain: [0, most] }, axis: { values: integerTicks(most), format: 'd' } },
              color: { condition: { test: 'datum.bad', value: '#e03131' }, value: '#2f9e44' },
            },
          },
          {
            mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
            encoding: { y: { ...y, axis: null }, x: { field: 'accepted_after_revoke', type: 'quantitative' }, text: { field: 'accepted_after_revoke', type: 'quantitative' } },
          },
        ],
      },
    ],
  };
  const never = brokers.reduce((sum, b) => sum + b.never, 0);
  return {
    name: 'revocation',
    title: 'Revocation propagation',
    caption: `Each dot is one revocation event seen by one broker; the black tick is that broker's median. The bars count requests a broker accepted after the revocation (must be 0).${never > 0 ? ` ${never} event${never === 1 ? '' : 's'} never saw a denial and ${never === 1 ? 'is' : 'are'} not drawn on the left.` : ''}`,
    spec: spec as unknown as TopLevelSpec,
  };
}

/** Whole-number ticks from 0 to max, at most about six of them. */
export function integerTicks(max: number): number[] {
  const step = Math.max(1, Math.ceil(max / 5));
  const ticks: number[] = [];
  for (let t = 0; t <= max; t += step) ticks.push(t);
  return ticks;
}
