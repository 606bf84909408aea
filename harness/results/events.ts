// events.csv: one row per scenario event (revocation, out-of-band change,
// fault), at the instant it was injected, on the run's clock.
import { toCsv } from '../csv.js';
import type { EventRecord } from '../metrics/history.js';

export const EVENT_COLUMNS = ['run_id', 'scenario', 'at_ms', 'kind', 'detail', 'outcome'] as const;

export function eventsCsv(runId: string, events: readonly EventRecord[]): string {
  return toCsv(
    EVENT_COLUMNS,
    events.map((e) => ({ run_id: runId, ...e, at_ms: Math.round(e.at_ms * 1000) / 1000 })),
  );
}
