// The table beside the paper's figures, pinned: added latency is p50 SEB − p50
// direct per scenario, platform and operation, its ratio SEB / direct, and a
// platform's figure is the median over its operations.
import { describe, expect, it } from 'vitest';
import type { SweepPoint } from './figures/throughput.js';
import { overheadRows, PAPER, paperTable, throughputRows } from './paper-table.js';
import type { SummaryRow } from './run-data.js';

const row = (platform: string, operation: string, path: string, p50: number, p99: number, scenario = `latency-${platform}`): SummaryRow => ({
  run: 'r',
  run_id: 'r',
  scenario,
  target: 'local',
  platform,
  path,
  operation,
  count: 300,
  errors: 0,
  p50_ms: p50,
  p90_ms: p50,
  p99_ms: p99,
  max_ms: p99,
  rate_rps: 10,
});

const SUMMARY = [
  row('kubernetes', 'deployment-scale', 'seb', 34.5, 50),
  row('kubernetes', 'deployment-scale', 'direct', 6.5, 12),
  row('kubernetes', 'configmap-data', 'seb', 30, 41),
  row('kubernetes', 'configmap-data', 'direct', 5, 9),
  row('kubernetes', 'networkpolicy-ingress', 'seb', 40, 60),
  row('kubernetes', 'networkpolicy-ingress', 'direct', 8, 20),
  row('aws', 'ssm-put-parameter', 'seb', 240, 300),
  row('aws', 'ssm-put-parameter', 'direct', 40, 80),
  // Not pairs: one path only, and a sweep step.
  row('aws', 's3-put-object', 'seb', 999, 999),
  row('aws', 'ssm-put-parameter', 'seb', 999, 999, 'throughput-sweep@100rps'),
  row('aws', 'ssm-put-parameter', 'direct', 1, 1, 'throughput-sweep@100rps'),
];

describe('paper table', () => {
  it('states what the paper reports', () => {
    expect(PAPER.addedLatencyMs).toEqual({ kubernetes: 28, aws: 195 });
    expect(PAPER.throughput).toBe('hundreds of requests per second');
  });

  it('pairs SEB with direct per scenario, platform and operation', () => {
    expect(overheadRows(SUMMARY)).toEqual([
      { scenario: 'latency-kubernetes', platform: 'kubernetes', operation: 'deployment-scale', p50_direct_ms: 6.5, p50_seb_ms: 34.5, added_ms: 28, ratio: 5.308, added_p99_ms: 38 },
      { scenario: 'latency-kubernetes', platform: 'kubernetes', operation: 'configmap-data', p50_direct_ms: 5, p50_seb_ms: 30, added_ms: 25, ratio: 6, added_p99_ms: 32 },
      { scenario: 'latency-kubernetes', platform: 'kubernetes', operation: 'networkpolicy-ingress', p50_direct_ms: 8, p50_seb_ms: 40, added_ms: 32, ratio: 5, added_p99_ms: 40 },
      { scenario: 'latency-aws', platform: 'aws', operation: 'ssm-put-parameter', p50_direct_ms: 40, p50_seb_ms: 240, added_ms: 200, ratio: 6, added_p99_ms: 220 },
    ]);
  });

  it('gives each platform the median over its operations, beside the paper', () => {
    expect(paperTable(SUMMARY, []).platforms).toEqual([
      { platform: 'kubernetes', operations: 3, paper_added_ms: 28, added_ms: 28, ratio: 5.308, min_added_ms: 25, max_added_ms: 32 },
      { platform: 'aws', operations: 1, paper_added_ms: 195, added_ms: 200, ratio: 6, min_added_ms: 200, max_added_ms: 200 },
    ]);
  });

  it('has no ratio when direct took 0 ms, and no paper number for another platform', () => {
    const t = paperTable([row('gcp', 'op', 'seb', 3, 3), row('gcp', 'op', 'direct', 0, 0)], []);
    expect(t.operations[0]).toMatchObject({ added_ms: 3, ratio: null });
    expect(t.platforms[0]).toMatchObject({ paper_added_ms: null, ratio: null });
  });

  it('takes the highest rate sustained before the first saturated step, per platform and path', () => {
    const p = (path: string, offered: number, achieved: number, saturated: boolean, operation = 'op'): SweepPoint => ({ run: 'r', sweep: 'sw', platform: 'aws', operation, path, offered_rps: offered, achieved_rps: achieved, p50_ms: 1, p99_ms: 1, saturated });
    expect(
      throughputRows([
        p('seb', 100, 99.5, false),
        p('seb', 200, 190.04, false),
        p('seb', 400, 250, true),
        p('seb', 800, 300, false), // after saturation: not counted
        p('direct', 100, 100, false),
        p('direct', 200, 199, false),
        p('seb', 100, 95, true, 'other'),
      ]),
    ).toEqual([
      { platform: 'aws', path: 'seb', sustained_rps: 190, saturated_at_rps: 400 },
      { platform: 'aws', path: 'direct', sustained_rps: 199, saturated_at_rps: null },
    ]);
  });
});
