import { describe, expect, it } from 'vitest';
import { commonSustainedSteps, costRows, costScenarios } from './cost-table.js';
import type { SweepPoint } from './figures/throughput.js';
import type { CpuRow } from './run-data.js';

const point = (path: string, offered: number, saturated: boolean): SweepPoint => ({ run: 'r', sweep: 'tp', platform: 'kubernetes', operation: 'op', path, offered_rps: offered, achieved_rps: offered, p50_ms: 1, p99_ms: 1, saturated });
const cpu = (scenario: string, path: string, process: string, cpu_ms: number, mutations: number): CpuRow => ({
  run: 'r', run_id: 'r', scenario, platform: 'kubernetes', path, operation: 'op', process, mutations, cpu_ms, cpu_ms_per_mutation: cpu_ms / mutations, rss_mib: 1,
});

describe('CPU per mutation, SEB beside direct', () => {
  it('compares a sweep at the highest rate both paths sustained', () => {
    const points = [point('seb', 10, false), point('seb', 20, false), point('seb', 40, true), point('direct', 10, false), point('direct', 20, false), point('direct', 40, false), point('direct', 80, true)];
    expect(commonSustainedSteps(points)).toEqual([{ sweep: 'tp', platform: 'kubernetes', operation: 'op', rate: 20 }]);
  });

  it('adds every process of a path and divides by its executed mutations', () => {
    const rows = [cpu('lat', 'seb', 'broker', 300, 100), cpu('lat', 'seb', 'etcd', 100, 100), cpu('lat', 'direct', 'etcd', 100, 100), cpu('lat', 'direct', 'broker', 0, 100), cpu('other', 'seb', 'etcd', 1, 1)];
    const [row, ...rest] = costRows(rows, costScenarios(rows, ['lat'], []));
    expect(rest).toEqual([]);
    expect(row).toEqual({
      scenario: 'lat',
      platform: 'kubernetes',
      operation: 'op',
      seb: { mutations: 100, total_ms: 4, by_process: { broker: 3, etcd: 1 } },
      direct: { mutations: 100, total_ms: 1, by_process: { etcd: 1, broker: 0 } },
      ratio: 4,
    });
  });
});
