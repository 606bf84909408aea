// requests.csv: one row per measured request, with one column per broker
// phase (broker/broker.ts PHASES). Direct requests leave the phases empty.
import { PHASES, type Phase } from '../../broker/broker.js';
import { toCsv, type CsvCell } from '../csv.js';
import type { RequestRecord } from '../metrics/history.js';

export const PHASE_COLUMNS = PHASES.map((p) => `${p}_ms` as const) as readonly `${Phase}_ms`[];

export const REQUEST_COLUMNS = [
  'run_id',
  'scenario',
  'target',
  'platform',
  'path',
  'operation',
  'request_id',
  'start_ms',
  'latency_ms',
  'outcome',
  'reason',
  ...PHASE_COLUMNS,
] as const;

type RequestColumn = (typeof REQUEST_COLUMNS)[number];

export function requestsCsv(runId: string, requests: readonly RequestRecord[]): string {
  const rows = requests.map((r) => {
    const row: Record<RequestColumn, CsvCell> = {
      run_id: runId,
      scenario: r.scenario,
      target: r.target,
      platform: r.platform,
      path: r.path,
      operation: r.operation,
      request_id: r.request_id,
      start_ms: round3(r.start_ms),
      latency_ms: round3(r.latency_ms),
      outcome: r.outcome,
      reason: r.reason,
    } as Record<RequestColumn, CsvCell>;
    for (const phase of PHASES) row[`${phase}_ms`] = r.phases[phase] === undefined ? null : round3(r.phases[phase]);
    return row;
  });
  return toCsv(REQUEST_COLUMNS, rows);
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
