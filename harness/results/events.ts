// events.csv: one row per scenario event (revocation, out-of-band change,
// fault), at the instant it was injected, on the run's clock.
import { writeCsv } from '../csv.js';
import type { EventRecord } from '../metrics/history.js';

export const EVENTS_CSV = { run_id: 'string', scenario: 'string', at_ms: 'number', kind: 'string', detail: 'string', outcome: 'string' } as const;

export function eventsCsv(runId: string, events: readonly EventRecord[]): string {
  return writeCsv(
    EVENTS_CSV,
    events.map((e) => ({ run_id: runId, ...e, at_ms: Math.round(e.at_ms * 1000) / 1000 })),
  );
}
