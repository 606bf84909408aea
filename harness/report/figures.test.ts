// The figure specs are pure functions of parsed rows: which rows each figure
// keeps, what it computes from them, and how the spec encodes the result.
import { describe, expect, it } from 'vitest';
import type { Comparison } from '../compare.js';
import { worseNotes } from './compare-marks.js';
import { median, quantileSorted, worseKey, type FigureContext } from './figures/common.js';
import { driftFigure, driftSegments } from './figures/drift.js';
import { faultGrid, faultsFigure } from './figures/faults.js';
import { cdfPoints, latencyCdfFigure, latencyRows } from './figures/latency-cdf.js';
import { microBars, microbenchFigure } from './figures/microbench.js';
import { phaseBars, phasesFigure } from './figures/phases.js';
import { cpuFigure, cpuSegments } from './figures/cpu.js';
import { brokerRevocations, integerTicks, revocationFigure } from './figures/revocation.js';
import { saturationMarks, sweepPointsFromSummary, sweepPointsOf, throughputFigure } from './figures/throughput.js';
import type { CpuRow, DriftRow, FaultRow, MicrobenchRow, RequestRow, RevocationRow, SummaryRow, SweepRow } from './run-data.js';

const ONE: FigureContext = { runs: ['r1'] };
const TWO: FigureContext = { runs: ['base', 'new'] };

const phases = { verify_ms: null, ledger_ms: null, drift_ms: null, record_ms: null, mint_ms: null, invoke_ms: null, retire_ms: null, outcome_ms: null };
function req(o: Partial<RequestRow> & { latency_ms: number }): RequestRow {
  return { run: 'r1', run_id: 'r1', scenario: 'lat', target: 'local', platform: 'kubernetes', path: 'seb', operation: 'op', request_id: 'q', start_ms: 0, outcome: 'executed', reason: null, ...phases, ...o };
}
function summ(o: Partial<SummaryRow>): SummaryRow {
  return { run: 'r1', run_id: 'r1', scenario: 'lat', target: 'local', platform: 'kubernetes', path: 'seb', operation: 'op', count: 100, errors: 0, p50_ms: 1, p90_ms: 1, p99_ms: 1, max_ms: 1, rate_rps: 1, ...o };
}
/** The first layer of a (possibly faceted, concatenated or layered) spec, for looking at its encoding. */
const json = (spec: unknown) => JSON.parse(JSON.stringify(spec)) as Record<string, any>;

describe('latency CDF', () => {
  const rows = [
    ...[1, 2, 3, 4].map((l) => req({ latency_ms: l + 10, path: 'seb' })),
    ...[1, 2, 3, 4].map((l) => req({ latency_ms: l, path: 'direct' })),
    req({ latency_ms: 99, path: 'seb', outcome: 'denied' }),
    req({ latency_ms: 98, path: 'seb', scenario: 'sweep@100rps' }),
    req({ latency_ms: 97, path: 'seb', scenario: 'drift-only' }),
  ];

  it('keeps executed, non-sweep requests of scenarios measured both ways', () => {
    expect(latencyRows(rows).map((r) => r.latency_ms)).toEqual([11, 12, 13, 14, 1, 2, 3, 4]);
  });

  it('falls back to every executed non-sweep request when no scenario has both paths', () => {
    expect(latencyRows(rows.filter((r) => r.path === 'seb')).map((r) => r.latency_ms)).toEqual([11, 12, 13, 14, 97]);
  });

  it('keeps only the latency scenarios when meta.json names them', () => {
    const both = [...rows, req({ latency_ms: 50, scenario: 'drift-detection' }), req({ latency_ms: 51, scenario: 'drift-detection', path: 'direct' })];
    expect(latencyRows(both).map((r) => r.latency_ms)).toContain(50);
    expect(latencyRows(both, { runs: ['r1'], latencyScenarios: new Set(['lat']) }).map((r) => r.latency_ms)).toEqual([11, 12, 13, 14, 1, 2, 3, 4]);
    expect(phaseBars(both, { runs: ['r1'], latencyScenarios: new Set(['drift-detection']) }).bars).toEqual([]);
  });

  it('gives each series its sorted latencies with the share at or under each', () => {
    const points = cdfPoints(latencyRows(rows), ONE);
    expect(points.filter((p) => p.path === 'direct').map((p) => [p.latency_ms, p.fraction])).toEqual([
      [1, 0.25],
      [2, 0.5],
      [3, 0.75],
      [4, 1],
    ]);
  });

  it('thins a long series to at most maxPoints, keeping the fastest and the slowest', () => {
    const many = Array.from({ length: 1000 }, (_, i) => req({ latency_ms: i + 1 }));
    const points = cdfPoints(many, ONE, 50);
    expect(points).toHaveLength(50);
    expect(points[0]).toMatchObject({ latency_ms: 1, fraction: 0.001 });
    expect(points.at(-1)).toMatchObject({ latency_ms: 1000, fraction: 1 });
  });

  it('facets by platform and operation, colours by path on a log latency axis, and dashes by run only when comparing', () => {
    const one = json(latencyCdfFigure(rows, ONE)?.spec);
    expect(one.facet.field).toBe('panel');
    expect(one.spec.encoding.x).toMatchObject({ field: 'latency_ms', scale: { type: 'log' }, title: 'Latency (ms, log scale)' });
    expect(one.spec.encoding.color.scale.domain).toEqual(['seb', 'direct']);
    expect(one.spec.encoding.strokeDash).toBeUndefined();
    const two = json(latencyCdfFigure(rows.map((r, i) => ({ ...r, run: i % 2 ? 'base' : 'new' })), TWO)?.spec);
    expect(two.spec.encoding.strokeDash).toMatchObject({ field: 'run', scale: { domain: ['base', 'new'] } });
  });

  it('puts one row of panels per platform', () => {
    const spec = json(latencyCdfFigure([...rows, ...rows.map((r) => ({ ...r, platform: 'aws' }))], ONE)?.spec);
    expect(spec.vconcat.map((v: any) => v.transform[0].filter)).toEqual([
      { field: 'platform', equal: 'kubernetes' },
      { field: 'platform', equal: 'aws' },
    ]);
  });

  it('is not drawn without executed requests', () => {
    expect(latencyCdfFigure([req({ latency_ms: 1, outcome: 'error' })], ONE)).toBeUndefined();
  });

  it('marks a panel the new run got worse in', () => {
    const ctx = { ...TWO, worse: new Map([[worseKey('latency', 'kubernetes', 'op'), 'seb p99 ×1.50']]) };
    const points = cdfPoints(rows, ctx);
    expect(points[0]?.panel).toBe('kubernetes · op  ▲ seb p99 ×1.50');
  });
});

describe('phase breakdown', () => {
  const seb = (verify: number, invoke: number) => req({ latency_ms: 50, path: 'seb', verify_ms: verify, invoke_ms: invoke, mint_ms: 10 });
  const rows = [seb(1, 20), seb(3, 30), seb(2, 40), req({ latency_ms: 25, path: 'direct' }), req({ latency_ms: 35, path: 'direct' }), req({ latency_ms: 30, path: 'direct' })];

  it('stacks the median of each phase in phase order, skipping phases no request recorded', () => {
    const { bars, totals, ticks } = phaseBars(rows, ONE);
    expect(bars.map((b) => [b.phase, b.ms, b.x0, b.x1])).toEqual([
      ['verify', 2, 0, 2],
      ['mint', 10, 2, 12],
      ['invoke', 30, 12, 42],
    ]);
    expect(totals).toEqual([{ platform: 'kubernetes', bar: 'op', ms: 42 }]);
    expect(ticks).toEqual([{ platform: 'kubernetes', bar: 'op', ms: 30 }]);
  });

  it('draws bars from x0 to x1 coloured by phase in PHASES order', () => {
    const spec = json(phasesFigure(rows, ONE)?.spec);
    const bar = spec.layer[0];
    expect(bar.encoding.x.field).toBe('x0');
    expect(bar.encoding.x2.field).toBe('x1');
    expect(bar.encoding.color.scale.domain).toEqual(['verify', 'ledger', 'drift', 'record', 'mint', 'invoke', 'retire', 'outcome']);
    expect(bar.encoding.color.legend.values).toEqual(['verify', 'mint', 'invoke']);
    expect(spec.layer.map((l: any) => l.transform[0].filter.equal)).toEqual(['phase', 'total', 'direct']);
  });

  it('is not drawn when no brokered request recorded a phase', () => {
    expect(phasesFigure([req({ latency_ms: 1 })], ONE)).toBeUndefined();
  });
});

describe('CPU per mutation', () => {
  const cpu = (path: string, process: string, cpu_ms: number): CpuRow => ({ run: 'r1', scenario: 'lat', platform: 'kubernetes', path, operation: 'op', process, mutations: 10, cpu_ms, cpu_ms_per_mutation: cpu_ms / 10, rss_mib: 1, run_id: 'r1' });
  const runs = [{ label: 'r1', cpu: [cpu('seb', 'broker', 30), cpu('seb', 'etcd', 20), cpu('direct', 'broker', 0), cpu('direct', 'etcd', 10)] }];

  it('stacks each path\'s CPU per mutation by process, SEB beside direct', () => {
    expect(cpuSegments(runs, { runs: ['r1'], latencyScenarios: new Set(['lat']) }).map((s) => [s.bar, s.process, s.x0, s.x1])).toEqual([
      ['kubernetes/op lat · seb', 'broker', 0, 3],
      ['kubernetes/op lat · seb', 'etcd', 3, 5],
      ['kubernetes/op lat · direct', 'broker', 0, 0],
      ['kubernetes/op lat · direct', 'etcd', 0, 1],
    ]);
    expect(json(cpuFigure(runs, ONE)?.spec).encoding.color.field).toBe('process');
  });

  it('is not drawn without cpu.csv rows', () => {
    expect(cpuFigure([{ label: 'r1', cpu: [] }], ONE)).toBeUndefined();
  });
});

describe('throughput', () => {
  const step = (path: string, offered: number, rate: number, errors: number, p99: number) =>
    summ({ scenario: `sweep@${offered}rps`, path, rate_rps: rate, errors, count: 100, p99_ms: p99 });

  it('reads offered rates from step names (`<name>@<rate>rps`, as the runner writes them), and leaves other rows out', () => {
    const points = sweepPointsFromSummary([summ({ scenario: 'lat' }), step('seb', 50, 50, 0, 10), summ({ scenario: 'x@25rps', rate_rps: 25 })]);
    expect(points.map((p) => [p.sweep, p.offered_rps])).toEqual([
      ['sweep', 50],
      ['x', 25],
    ]);
  });

  it('counts executed requests in the achieved rate, and judges saturation by the scenario defaults', () => {
    const points = sweepPointsFromSummary([step('seb', 100, 100, 0, 10), step('seb', 200, 185, 0, 20), step('seb', 400, 400, 2, 30), step('seb', 800, 700, 0, 90)]);
    expect(points.map((p) => [p.achieved_rps, p.saturated])).toEqual([
      [100, false],
      [185, false],
      [392, true],
      [700, true],
    ]);
    expect([...saturationMarks(points).values()]).toEqual([400]);
  });

  it('prefers a run’s sweep.csv to its summary.csv', () => {
    const sweep: SweepRow = { run: 'r1', run_id: 'r1', scenario: 'sw', target: 'local', platform: 'aws', path: 'seb', operation: 'op', offered_rps: 10, achieved_rps: 9, count: 90, errors: 0, p50_ms: 1, p99_ms: 2, saturated: true, why: 'achieved 9 of 10 rps', sustained_rps: null, sustained_ratio: null };
    expect(sweepPointsOf({ sweep: [sweep], summary: [step('seb', 50, 50, 0, 10)] })).toMatchObject({ from: 'sweep.csv', points: [{ offered_rps: 10, saturated: true }] });
    expect(sweepPointsOf({ sweep: [], summary: [step('seb', 50, 50, 0, 10)] }).from).toBe('summary.csv');
  });

  it('plots p99 against achieved rate per path, and marks and labels the first saturated step', () => {
    const spec = json(throughputFigure([{ summary: [step('seb', 100, 100, 0, 10), step('seb', 200, 100, 0, 50), step('direct', 100, 100, 0, 5)] }], ONE)?.spec);
    const [line, cross, ...labels] = spec.spec.layer;
    expect(line.encoding.x.field).toBe('achieved_rps');
    expect(line.encoding.y).toMatchObject({ field: 'p99_ms', scale: { type: 'log' } });
    expect(cross.transform[0].filter).toBe('datum.first_saturated');
    expect(labels).toHaveLength(2);
    const marked = spec.data.values.filter((v: any) => v.first_saturated);
    expect(marked).toHaveLength(1);
    expect(marked[0]).toMatchObject({ path: 'seb', offered_rps: 200, label: ['saturated at', '200 rps offered'] });
  });

  it('shapes and dashes by run when comparing, without labels', () => {
    const spec = json(throughputFigure([{ summary: [step('seb', 100, 100, 0, 10)].map((r) => ({ ...r, run: 'base' })) }, { summary: [step('seb', 100, 100, 0, 10)].map((r) => ({ ...r, run: 'new' })) }], TWO)?.spec);
    expect(spec.spec.layer[0].encoding.shape.field).toBe('run');
    expect(spec.spec.layer).toHaveLength(2);
  });

  it('is not drawn without sweep steps', () => {
    expect(throughputFigure([{ summary: [summ({})] }], ONE)).toBeUndefined();
  });
});

describe('drift', () => {
  const row = (o: Partial<DriftRow> = {}): DriftRow => ({ run: 'r1', run_id: 'r1', scenario: 'drift', target: 'local', platform: 'kubernetes', path: 'seb', operation: 'op', trials: 10, drifted: 6, detected: 3, false_positives: 1, missed: 1, precondition_caught: 1, counted_from: 'platform records', ...o });

  it('splits drifted trials into caught, missed and other, and clean trials into flagged and not', () => {
    const segments = driftSegments([row()], ONE);
    expect(segments.map((s) => [s.bar, s.outcome, s.count, s.x0, s.x1])).toEqual([
      ['kubernetes · op: drifted (6, 67% caught)', 'drifted: denied by the broker (drift)', 3, 0, 3],
      ['kubernetes · op: drifted (6, 67% caught)', 'drifted: refused by the platform (precondition)', 1, 3, 4],
      ['kubernetes · op: drifted (6, 67% caught)', 'drifted: executed anyway (missed)', 1, 4, 5],
      ['kubernetes · op: drifted (6, 67% caught)', 'drifted: failed otherwise', 1, 5, 6],
      ['kubernetes · op: clean (4)', 'clean: flagged (false positive)', 1, 0, 1],
      ['kubernetes · op: clean (4)', 'clean: not flagged', 3, 1, 4],
    ]);
  });

  it('names groups by platform and operation (and a path other than seb), and numbers rows of one group', () => {
    expect(driftSegments([row({ platform: 'aws', operation: 'op', path: 'seb' })], ONE)[0]?.bar).toMatch(/^aws · op: drifted/);
    expect(driftSegments([row({ path: 'direct' })], ONE)[0]?.bar).toMatch(/^kubernetes · op · direct: drifted/);
    expect(new Set(driftSegments([row(), row()], ONE).map((s) => s.bar.split(':')[0]))).toEqual(new Set(['kubernetes · op (set 1)', 'kubernetes · op (set 2)']));
  });

  it('draws bars from x0 to x1 with outcome colours, and a count in each', () => {
    const spec = json(driftFigure([row()], ONE)?.spec);
    expect(spec.layer[0].encoding.color.scale.domain).toHaveLength(6);
    expect(spec.layer[1].encoding.text.field).toBe('count');
    expect(driftFigure([], ONE)).toBeUndefined();
  });
});

describe('revocation', () => {
  const row = (broker: string, propagation: number | null, accepted = 0): RevocationRow => ({ run: 'r1', run_id: 'x', broker, event: 'e', revoked_at_ms: 0, committed_at_ms: 0, first_deny_ms: propagation, propagation_ms: propagation, from_publish_start_ms: propagation, accepted_after_revoke: accepted });

  it('gives each broker its median propagation, the events it never denied after, and what it accepted late', () => {
    expect(brokerRevocations([row('a', 10), row('a', 30), row('a', 20, 2), row('b', null)], ONE)).toEqual([
      { run: 'r1', broker: 'a', events: 3, never: 0, median_ms: 20, accepted_after_revoke: 2 },
      { run: 'r1', broker: 'b', events: 1, never: 1, median_ms: null, accepted_after_revoke: 0 },
    ]);
  });

  it('draws propagation by broker beside the late acceptances, red when any', () => {
    const spec = json(revocationFigure([row('a', 10), row('b', 20, 1)], ONE)?.spec);
    expect(spec.hconcat[0].layer[0].encoding.x.field).toBe('propagation_ms');
    expect(spec.hconcat[1].layer[0].encoding.color.condition).toEqual({ test: 'datum.bad', value: '#e03131' });
    expect(integerTicks(1)).toEqual([0, 1]);
    expect(integerTicks(12)).toEqual([0, 3, 6, 9, 12]);
  });
});

describe('fault matrix', () => {
  const row = (o: Partial<FaultRow>): FaultRow => ({ run: 'r1', run_id: 'x', fault: 'kill', target: 'etcd', phase: 'during', injected_at_ms: 0, removed_at_ms: 1, requests: 10, executed: 5, denied: 5, violations: 0, recovery_ms: 100, ...o });
  const cellsOf = (rows: FaultRow[]) => faultGrid(rows).cells.map((c) => [c.row, c.column, c.violations, c.recovery_ms, c.status, c.line1, c.line2]);

  it('by window: a row per fault and target, a column per window and one for recovery, the total row kept aside', () => {
    const rows = [
      row({ phase: 'before', requests: 10, executed: 10 }),
      row({ phase: 'during', requests: 70, executed: 8, violations: 1 }),
      row({ phase: 'after', requests: 5, executed: 5 }),
      row({ fault: 'down', target: 'moto', phase: 'during', recovery_ms: null }),
      row({ fault: 'matrix', target: 'all', phase: 'total', requests: 95, violations: 1, injected_at_ms: null, removed_at_ms: null, recovery_ms: null }),
    ];
    const grid = faultGrid(rows);
    expect(grid.columns).toEqual(['before', 'during', 'after', 'recovery']);
    expect(grid.rows).toEqual(['kill → etcd', 'down → moto']);
    expect(grid.total).toEqual({ requests: 95, violations: 1 });
    expect(cellsOf(rows)).toEqual([
      ['kill → etcd', 'before', 0, null, 'no violation', '0 violations', '10 of 10 executed'],
      ['kill → etcd', 'during', 1, null, 'safety violation', '1 violation', '8 of 70 executed'],
      ['kill → etcd', 'after', 0, null, 'no violation', '0 violations', '5 of 5 executed'],
      ['kill → etcd', 'recovery', 0, 100, 'no violation', '100 ms', 'to recover'],
      ['down → moto', 'during', 0, null, 'no violation', '0 violations', '5 of 10 executed'],
      ['down → moto', 'recovery', 0, null, 'did not recover', 'no recovery', ''],
    ]);
    expect(faultsFigure(rows, ONE)?.caption).toContain('Over the whole matrix: 95 requests, 1 safety violation.');
  });

  it('is a grid of rows by columns, one grid per run when comparing', () => {
    const one = json(faultsFigure([row({})], ONE)?.spec);
    expect(one.layer[0].encoding.x.field).toBe('column');
    expect(one.layer[0].encoding.y.field).toBe('row');
    const two = json(faultsFigure([row({ run: 'base' }), row({ run: 'new' })], TWO)?.spec);
    expect(two.facet.column.field).toBe('run');
  });
});

describe('microbenchmarks', () => {
  const row = (name: string, threads: number, ops: number, run = 'r1'): MicrobenchRow => ({ run, name, threads, ops_per_s: ops, mean_us: 1, p99_us: 2, samples: 3 });

  it('has one bar per task and thread count, a series per run and thread count when comparing', () => {
    expect(microBars([row('a', 1, 10), row('a', 2, 18)], ONE).series).toEqual(['1 thread', '2 threads']);
    expect(microBars([row('a', 1, 10, 'base'), row('a', 1, 9, 'new')], TWO).series).toEqual(['base · 1 thread', 'new · 1 thread']);
    const spec = json(microbenchFigure([row('a', 1, 10)], ONE)?.spec);
    expect(spec.layer[0].encoding).toMatchObject({ x: { field: 'ops_per_s' }, y: { field: 'name' }, yOffset: { field: 'series' } });
  });
});

describe('compare marks', () => {
  it('keeps the worst ratio per path, latency scenarios apart from sweep steps', () => {
    const rowOf = (scenario: string, path: string, ratio: number | null, verdict: 'worse' | 'ok') => ({ scenario, platform: 'aws', path, operation: 'op', base: 1, next: ratio, ratio, verdict });
    const c: Comparison = {
      percentile: 'p99',
      threshold: 1.25,
      rows: [rowOf('lat', 'seb', 1.3, 'worse'), rowOf('lat2', 'seb', 1.6, 'worse'), rowOf('lat', 'direct', 1.1, 'ok'), rowOf('sw@10rps', 'direct', 2, 'worse')],
      worse: 3,
      better: 0,
      missing: 0,
      failed: true,
    };
    expect(worseNotes(c)).toEqual(
      new Map([
        [worseKey('latency', 'aws', 'op'), 'seb p99 ×1.60'],
        [worseKey('sweep', 'aws', 'op'), 'direct p99 ×2.00'],
      ]),
    );
  });
});

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('quantileSorted', () => {
  it('is the nearest rank', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantileSorted([1, 2, 3, 4], 0.51)).toBe(3);
    expect(quantileSorted([1, 2, 3, 4], 1)).toBe(4);
    expect(quantileSorted([7], 0)).toBe(7);
  });
});
