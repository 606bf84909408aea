// drift.csv: for each drift scenario, platform, path and operation, how the
// trials where the out-of-band mutator struck were caught. A drifted trial is
// `detected` when the broker denied it for drift, `precondition_caught` when
// the platform refused the write, `missed` when it executed; a trial that was
// not drifted but was denied for either reason is a false positive. Drifted
// trials that failed otherwise count in none of the three.
import { writeCsv } from '../csv.js';
import type { RequestRecord } from '../metrics/history.js';
import { groupBy, identityOf, keyOf, type GroupIdentity } from './summary.js';

export const DRIFT_CSV = {
  run_id: 'string',
  scenario: 'string',
  target: 'string',
  platform: 'string',
  path: 'string',
  operation: 'string',
  trials: 'number',
  drifted: 'number',
  detected: 'number',
  false_positives: 'number',
  missed: 'number',
  precondition_caught: 'number',
} as const;

export interface DriftRow extends GroupIdentity {
  readonly trials: number;
  readonly drifted: number;
  readonly detected: number;
  readonly false_positives: number;
  readonly missed: number;
  readonly precondition_caught: number;
}

const caught = (r: RequestRecord, reason: string) => r.outcome === 'denied' && r.reason === reason;

export function driftRows(requests: readonly RequestRecord[]): DriftRow[] {
  const trials = requests.filter((r) => r.drifted !== undefined);
  return [...groupBy(trials, keyOf).values()].map((group) => {
    const first = group[0] as RequestRecord;
    const drifted = group.filter((r) => r.drifted === true);
    const clean = group.filter((r) => r.drifted === false);
    return {
      ...identityOf(first),
      trials: group.length,
      drifted: drifted.length,
      detected: drifted.filter((r) => caught(r, 'drift')).length,
      false_positives: clean.filter((r) => caught(r, 'drift') || caught(r, 'precondition_failed')).length,
      missed: drifted.filter((r) => r.outcome === 'executed').length,
      precondition_caught: drifted.filter((r) => caught(r, 'precondition_failed')).length,
    };
  });
}

export function driftCsv(runId: string, rows: readonly DriftRow[]): string {
  return writeCsv(
    DRIFT_CSV,
    rows.map((r) => ({ run_id: runId, ...r })),
  );
}
