// storm.csv: for each replay storm, how many certificates executed exactly
// once (the property), never, or more than once (a safety violation). The
// executions of a certificate are the writes the platform recorded for it
// (harness/validate) wherever its records count that operation, so an
// execution whose answer was lost is still seen; elsewhere they are the
// clients' answers, and `counted_from` says which.
import { writeCsv } from '../csv.js';
import type { RequestRecord } from '../metrics/history.js';
import { counts, type RunValidation } from '../validate/run-validation.js';
import { groupBy, keyOf } from './summary.js';

export const STORM_CSV = {
  run_id: 'string',
  scenario: 'string',
  target: 'string',
  platform: 'string',
  operation: 'string',
  certificates: 'number',
  submissions: 'number',
  executed_once: 'number',
  executed_never: 'number',
  executed_more: 'number',
  replayed: 'number',
  other_denials: 'number',
  errors: 'number',
  /** `platform records` or `client answers`: where the executions per certificate came from. */
  counted_from: 'string',
} as const;

export type CountedFrom = 'platform records' | 'client answers';

export interface StormRow {
  readonly scenario: string;
  readonly target: string;
  readonly platform: string;
  readonly operation: string;
  readonly certificates: number;
  readonly submissions: number;
  readonly executed_once: number;
  readonly executed_never: number;
  readonly executed_more: number;
  readonly replayed: number;
  readonly other_denials: number;
  readonly errors: number;
  readonly counted_from: CountedFrom;
}

export function stormRows(requests: readonly RequestRecord[], validation?: RunValidation): StormRow[] {
  const copies = requests.filter((r) => r.certificate !== undefined);
  return [...groupBy(copies, keyOf).values()].map((group) => {
    const first = group[0] as RequestRecord;
    const fromPlatform = validation !== undefined && counts(validation, first.platform, first.operation) && group.every((r) => r.jti !== undefined);
    const executions = new Map<number, number>();
    for (const r of group) {
      const c = r.certificate as number;
      if (fromPlatform) executions.set(c, validation.writesByJti.get(r.jti as string) ?? 0);
      else executions.set(c, (executions.get(c) ?? 0) + (r.outcome === 'executed' ? 1 : 0));
    }
    const perCertificate = [...executions.values()];
    return {
      scenario: first.scenario,
      target: first.target,
      platform: first.platform,
      operation: first.operation,
      certificates: executions.size,
      submissions: group.length,
      executed_once: perCertificate.filter((n) => n === 1).length,
      executed_never: perCertificate.filter((n) => n === 0).length,
      executed_more: perCertificate.filter((n) => n > 1).length,
      replayed: group.filter((r) => r.outcome === 'denied' && r.reason === 'replayed').length,
      other_denials: group.filter((r) => r.outcome === 'denied' && r.reason !== 'replayed').length,
      errors: group.filter((r) => r.outcome === 'error').length,
      counted_from: fromPlatform ? 'platform records' : 'client answers',
    };
  });
}

export function stormCsv(runId: string, rows: readonly StormRow[]): string {
  return writeCsv(
    STORM_CSV,
    rows.map((r) => ({ run_id: runId, ...r })),
  );
}
