// storm.csv: for each replay storm, how many certificates executed exactly
// once (the property), never, or more than once (a safety violation).
import { writeCsv } from '../csv.js';
import type { RequestRecord } from '../metrics/history.js';
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
} as const;

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
}

export function stormRows(requests: readonly RequestRecord[]): StormRow[] {
  const copies = requests.filter((r) => r.certificate !== undefined);
  return [...groupBy(copies, keyOf).values()].map((group) => {
    const first = group[0] as RequestRecord;
    const executions = new Map<number, number>();
    for (const r of group) executions.set(r.certificate as number, (executions.get(r.certificate as number) ?? 0) + (r.outcome === 'executed' ? 1 : 0));
    const counts = [...executions.values()];
    return {
      scenario: first.scenario,
      target: first.target,
      platform: first.platform,
      operation: first.operation,
      certificates: executions.size,
      submissions: group.length,
      executed_once: counts.filter((n) => n === 1).length,
      executed_never: counts.filter((n) => n === 0).length,
      executed_more: counts.filter((n) => n > 1).length,
      replayed: group.filter((r) => r.outcome === 'denied' && r.reason === 'replayed').length,
      other_denials: group.filter((r) => r.outcome === 'denied' && r.reason !== 'replayed').length,
      errors: group.filter((r) => r.outcome === 'error').length,
    };
  });
}

export function stormCsv(runId: string, rows: readonly StormRow[]): string {
  return writeCsv(
    STORM_CSV,
    rows.map((r) => ({ run_id: runId, ...r })),
  );
}
