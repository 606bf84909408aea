// revocation.csv: per broker and revocation event, when the broker first
// denied `revoked` (its answer instant, on the run's clock), the propagation
// time, and the executions of revoked certificates sent past the staleness
// bound (must be 0). Written by harness/bench/revocation.ts, read by the report.
import { writeCsv, type RowIn } from '../csv.js';

export const REVOCATION_CSV = {
  run_id: 'string',
  broker: 'string',
  event: 'string',
  revoked_at_ms: 'number',
  /** When the publish returned: etcd had committed the revocation. Propagation counts from here. */
  committed_at_ms: 'number',
  first_deny_ms: 'number?',
  propagation_ms: 'number?',
  /** The same first denial timed from the start of the publish. */
  from_publish_start_ms: 'number?',
  accepted_after_revoke: 'number',
} as const;

export type RevocationCsvRow = RowIn<typeof REVOCATION_CSV>;

export function revocationCsv(rows: readonly RevocationCsvRow[]): string {
  return writeCsv(REVOCATION_CSV, rows);
}
