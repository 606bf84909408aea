// cpu.csv: per scenario, platform, path, operation and process, the CPU the
// process spent over that path's measured blocks, the mutations those blocks
// executed, and their quotient; `rss_mib` is the process's largest resident
// set at the end of one of those blocks.
import { writeCsv } from '../csv.js';
import { groupBy } from '../group-by.js';
import type { CpuRecord } from '../metrics/history.js';
import { keyOf } from './summary.js';

export const CPU_CSV = {
  run_id: 'string',
  scenario: 'string',
  platform: 'string',
  path: 'string',
  operation: 'string',
  process: 'string',
  mutations: 'number',
  cpu_ms: 'number',
  /** Empty when the blocks executed nothing. */
  cpu_ms_per_mutation: 'number?',
  rss_mib: 'number',
} as const;

export interface CpuRow {
  readonly scenario: string;
  readonly platform: string;
  readonly path: string;
  readonly operation: string;
  readonly process: string;
  readonly mutations: number;
  readonly cpu_ms: number;
  /** null when the blocks executed nothing. */
  readonly cpu_ms_per_mutation: number | null;
  readonly rss_mib: number;
}

export function cpuRows(records: readonly CpuRecord[]): CpuRow[] {
  return [...groupBy(records, (r) => `${keyOf(r)}\0${r.process}`).values()].map((group) => {
    const first = group[0] as CpuRecord;
    const mutations = group.reduce((n, r) => n + r.mutations, 0);
    const cpuMs = group.reduce((n, r) => n + r.cpu_ms, 0);
    return {
      scenario: first.scenario,
      platform: first.platform,
      path: first.path,
      operation: first.operation,
      process: first.process,
      mutations,
      cpu_ms: Math.round(cpuMs * 10) / 10,
      cpu_ms_per_mutation: mutations > 0 ? Math.round((cpuMs / mutations) * 1000) / 1000 : null,
      rss_mib: Math.round(Math.max(...group.map((r) => r.rss_kib)) / 102.4) / 10,
    };
  });
}

export function cpuCsv(runId: string, rows: readonly CpuRow[]): string {
  return writeCsv(
    CPU_CSV,
    rows.map((r) => ({ run_id: runId, ...r })),
  );
}
