// The CI gate: SEB/direct ratios from one run, compared with a baseline's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareRatios, limitFor, OVERHEAD_FLOOR, runRatios, type RunRatio } from './compare-ratios.js';
import type { CpuRow, PlatformRequestRow, RunData, SummaryRow, SweepRow } from './report/run-data.js';

const ratio = (metric: RunRatio['metric'], value: number, platform = 'kubernetes'): RunRatio => ({ platform, metric, value });

describe('compareRatios', () => {
  it('fails a change that doubles what the broker adds, and passes one within the noise', () => {
    fc.assert(
      fc.property(fc.double({ min: 1 + OVERHEAD_FLOOR, max: 50, noNaN: true }), (base) => {
        const doubled = 1 + 2 * (base - 1);
        expect(compareRatios([ratio('cpu', base)], [ratio('cpu', doubled)], 1.5).failed).toBe(true);
        expect(compareRatios([ratio('cpu', base)], [ratio('cpu', 1 + 1.2 * (base - 1))], 1.5).failed).toBe(false);
      }),
    );
  });

  it('takes what the broker adds in the baseline as at least the floor', () => {
    expect(limitFor(1.05, 1.5)).toBe(1 + 1.5 * OVERHEAD_FLOOR);
    expect(compareRatios([ratio('p50', 1.05)], [ratio('p50', 1.3)], 1.5).failed).toBe(false);
  });

  it('fails when the new run lacks a gated ratio the baseline has; a new ratio alone is listed, not failed', () => {
    const c = compareRatios([ratio('p50', 2), ratio('cpu', 2)], [ratio('p50', 2), ratio('throughput', 9)], 1.5);
    expect(c.rows.map((r) => [r.metric, r.verdict])).toEqual([
      ['p50', 'ok'],
      ['cpu', 'only-in-base'],
      ['throughput', 'only-in-new'],
    ]);
    expect(c.failed).toBe(true);
  });

  it('shows a worse throughput ratio without failing on it (the quick sweep is too noisy to gate)', () => {
    const c = compareRatios([ratio('p50', 2), ratio('throughput', 2)], [ratio('p50', 2), ratio('throughput', 9)], 1.5);
    expect(c.rows.map((r) => r.verdict)).toEqual(['ok', 'worse (not gated)']);
    expect(c.failed).toBe(false);
    expect(compareRatios([ratio('throughput', 2)], [], 1.5).failed).toBe(false);
  });
});

describe('runRatios', () => {
  it('reads p50, CPU, platform request and throughput ratios per platform from one run', () => {
    const id = { run: 'r', platform: 'kubernetes', operation: 'op' };
    const summary = (path: string, p50: number): SummaryRow => ({ ...id, scenario: 'lat', path, count: 10, errors: 0, p50_ms: p50, p90_ms: p50, p99_ms: p50, max_ms: p50, rate_rps: 1, run_id: 'r', target: 'local' });
    const sweep = (path: string, offered: number, achieved: number, saturated: boolean): SweepRow => ({ ...id, scenario: 'tp', path, offered_rps: offered, achieved_rps: achieved, count: 1, errors: 0, p50_ms: 1, p99_ms: 1, saturated, run_id: 'r', target: 'local', why: null, sustained_rps: null, sustained_ratio: null });
    const cpu = (scenario: string, path: string, ms: number): CpuRow => ({ ...id, scenario, path, process: 'broker', mutations: 10, cpu_ms: ms * 10, cpu_ms_per_mutation: ms, rss_mib: 1, run_id: 'r' });
    const served = (scenario: string, path: string, request: string, requests: number): PlatformRequestRow => ({ ...id, scenario, path, request, requests, mutations: 10, requests_per_mutation: requests / 10, run_id: 'r' });
    const run: RunData = {
      label: 'r',
      dir: '/nowhere',
      meta: { scenarios: [{ name: 'lat', kind: 'latency' }, { name: 'tp', kind: 'throughput' }] },
      summary: [summary('seb', 6), summary('direct', 3)],
      sweep: [sweep('seb', 10, 10, false), sweep('seb', 20, 12, true), sweep('direct', 10, 10, false), sweep('direct', 20, 20, false), sweep('direct', 40, 30, true)],
      cpu: [cpu('lat', 'seb', 4), cpu('lat', 'direct', 2), cpu('tp@10rps', 'seb', 3), cpu('tp@10rps', 'direct', 1)],
      platformRequests: [
        served('lat', 'seb', 'GET cm', 10),
        served('lat', 'seb', 'PATCH cm', 10),
        served('lat', 'direct', 'PATCH cm', 10),
        served('tp@10rps', 'seb', 'GET cm', 10),
        served('tp@10rps', 'seb', 'PATCH cm', 10),
        served('tp@10rps', 'seb', 'POST roles', 20),
        served('tp@10rps', 'direct', 'PATCH cm', 10),
        // Not a cost row: the sweep's step where SEB saturated.
        served('tp@20rps', 'seb', 'POST roles', 500),
      ],
    };
    expect(runRatios(run)).toEqual([
      { platform: 'kubernetes', metric: 'p50', value: 2 },
      // median of 2 (low load) and 3 (the sweep at 10 rps, the highest rate both sustained)
      { platform: 'kubernetes', metric: 'cpu', value: 2.5 },
      // median of 2 (low load) and 4 (at 10 rps)
      { platform: 'kubernetes', metric: 'requests', value: 3 },
      { platform: 'kubernetes', metric: 'throughput', value: 2 },
    ]);
  });
});
