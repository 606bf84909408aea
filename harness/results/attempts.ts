// attempts.csv (revocation-attempts.csv, faults-attempts.csv in a run of
// several parts): the fleet scenarios' requests, one row each, so that every
// count in revocation.csv and faults.csv can be recomputed. The same records
// as requests.csv, in its columns, and then what a fleet request also says:
// its broker, why it was sent, its request index and certificate, and when it
// went out and was answered (whole ms on the run's clock, as the fleet
// records them, so windows recomputed from this file count what the bench did).
import { writeCsv } from '../csv.js';
import type { RequestRecord } from '../metrics/history.js';
import { REQUESTS_CSV, requestRow } from './requests.js';

export const ATTEMPTS_CSV = {
  ...REQUESTS_CSV,
  broker: 'string?',
  /** fresh, outstanding, replay, tamper, or probe (a /v1/verify probe: the only requests sent there). */
  attempt: 'string?',
  index: 'number?',
  jti: 'string?',
  rep: 'number?',
  sent_ms: 'number',
  answered_ms: 'number',
} as const;

export function attemptsCsv(runId: string, requests: readonly RequestRecord[]): string {
  return writeCsv(
    ATTEMPTS_CSV,
    requests.map((r) => ({
      ...requestRow(runId, r),
      broker: r.broker,
      attempt: r.attempt,
      index: r.index,
      jti: r.jti,
      rep: r.rep,
      sent_ms: r.sent_ms,
      answered_ms: r.answered_ms,
    })),
  );
}
