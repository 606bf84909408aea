// faults.csv: per fault of the matrix, the execute requests sent before,
// during and after it (by send instant, on the run's clock), what became of
// them, the violations found in each window and the recovery time; and one
// `total` row for the whole matrix. Written by harness/bench/faults.ts, read
// by the report.
import { writeCsv, type RowIn } from '../csv.js';

export const FAULTS_CSV = {
  run_id: 'string',
  fault: 'string',
  target: 'string',
  /** before, during or after the fault; `total` for the matrix's row. */
  phase: 'string',
  injected_at_ms: 'number?',
  removed_at_ms: 'number?',
  requests: 'number',
  executed: 'number',
  denied: 'number',
  violations: 'number',
  recovery_ms: 'number?',
} as const;

export type FaultsCsvRow = RowIn<typeof FAULTS_CSV>;

export function faultsCsv(rows: readonly FaultsCsvRow[]): string {
  return writeCsv(FAULTS_CSV, rows);
}
