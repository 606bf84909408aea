// requests.csv: one row per measured request, with one column per broker
// phase (broker/broker.ts PHASES). Direct requests leave the phases empty.
import { PHASES, type Phase } from '../../broker/broker.js';
import { writeCsv, type RowIn } from '../csv.js';
import type { RequestRecord } from '../metrics/history.js';
import { GROUP_CSV } from './group-columns.js';

const PHASE_SCHEMA = Object.fromEntries(PHASES.map((p) => [`${p}_ms`, 'number?'])) as Record<`${Phase}_ms`, 'number?'>;

export const REQUESTS_CSV = {
  ...GROUP_CSV,
  request_id: 'string',
  start_ms: 'number',
  latency_ms: 'number',
  outcome: 'string',
  reason: 'string?',
  ...PHASE_SCHEMA,
} as const;

export function requestsCsv(runId: string, requests: readonly RequestRecord[]): string {
  return writeCsv(REQUESTS_CSV, requests.map((r) => requestRow(runId, r)));
}

/** One record in requests.csv's columns. */
export function requestRow(runId: string, r: RequestRecord): RowIn<typeof REQUESTS_CSV> {
  const row: Record<string, unknown> = {
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
  };
  for (const phase of PHASES) row[`${phase}_ms`] = r.phases[phase] === undefined ? null : round3(r.phases[phase]);
  return row as RowIn<typeof REQUESTS_CSV>;
}

/** Times to the microsecond. */
export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
