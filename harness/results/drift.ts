// drift.csv: for each drift scenario, platform, path and operation, how the
// trials where the out-of-band mutator struck were caught. A drifted trial is
// `detected` when the broker denied it for drift, `precondition_caught` when
// the platform refused the write, `missed` when it executed; a trial that was
// not drifted but was denied for either reason is a false positive. Drifted
// trials that failed otherwise count in none of the three. Wherever the
// platform's records count the operation (harness/validate), whether a trial
// executed is what the platform recorded for its certificate, and whether it
// was denied for drift is what the record logs say; else both are the
// client's answer. `counted_from` says which. A write the platform refused
// (precondition_failed) is the broker's outcome, as the client heard it.
import { writeCsv } from '../csv.js';
import type { RequestRecord } from '../metrics/history.js';
import { counts, type RunValidation } from '../validate/run-validation.js';
import type { CountedFrom } from './storm.js';
import { groupBy, identityOf, keyOf, type GroupIdentity } from './summary.js';
import { GROUP_CSV } from './group-columns.js';

export const DRIFT_CSV = {
  ...GROUP_CSV,
  trials: 'number',
  drifted: 'number',
  detected: 'number',
  false_positives: 'number',
  missed: 'number',
  precondition_caught: 'number',
  /** `platform records` or `client answers`: where executed and denied came from. */
  counted_from: 'string',
} as const;

export interface DriftRow extends GroupIdentity {
  readonly trials: number;
  readonly drifted: number;
  readonly detected: number;
  readonly false_positives: number;
  readonly missed: number;
  readonly precondition_caught: number;
  readonly counted_from: CountedFrom;
}

const answered = (r: RequestRecord, reason: string) => r.outcome === 'denied' && r.reason === reason;

export function driftRows(requests: readonly RequestRecord[], validation?: RunValidation): DriftRow[] {
  const trials = requests.filter((r) => r.drifted !== undefined);
  return [...groupBy(trials, keyOf).values()].map((group) => {
    const first = group[0] as RequestRecord;
    const fromPlatform = validation !== undefined && first.path === 'seb' && counts(validation, first.platform, first.operation) && group.every((r) => r.jti !== undefined);
    const executed = (r: RequestRecord) => (fromPlatform ? (validation.writesByJti.get(r.jti as string) ?? 0) > 0 : r.outcome === 'executed');
    const driftDenied = (r: RequestRecord) => (fromPlatform ? (validation.deniedFor.get(r.jti as string)?.has('drift') ?? false) : answered(r, 'drift'));
    const drifted = group.filter((r) => r.drifted === true);
    const clean = group.filter((r) => r.drifted === false);
    return {
      ...identityOf(first),
      trials: group.length,
      drifted: drifted.length,
      detected: drifted.filter(driftDenied).length,
      false_positives: clean.filter((r) => driftDenied(r) || answered(r, 'precondition_failed')).length,
      missed: drifted.filter(executed).length,
      precondition_caught: drifted.filter((r) => answered(r, 'precondition_failed')).length,
      counted_from: fromPlatform ? 'platform records' : 'client answers',
    };
  });
}

export function driftCsv(runId: string, rows: readonly DriftRow[]): string {
  return writeCsv(
    DRIFT_CSV,
    rows.map((r) => ({ run_id: runId, ...r })),
  );
}
