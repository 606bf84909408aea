// attempts.csv: the fleet benches' client history, one row per request, so
// that every count in revocation.csv and faults.csv can be recomputed.
import { toCsv } from '../csv.js';
import type { Attempt } from '../validate/violations.js';

export const ATTEMPT_COLUMNS = ['run_id', 'broker', 'path', 'kind', 'i', 'jti', 'rep', 'sent_ms', 'answered_ms', 'outcome', 'reason'] as const;

export function attemptsCsv(runId: string, history: readonly Attempt[]): string {
  return toCsv(
    ATTEMPT_COLUMNS,
    history.map((a) => ({ run_id: runId, broker: a.broker, path: a.path, kind: a.kind, i: a.i, jti: a.jti, rep: a.rep, sent_ms: a.sentMs, answered_ms: a.answeredMs, outcome: a.outcome, reason: a.reason })),
  );
}
