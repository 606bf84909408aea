// The end of a fleet run: every broker stopped, started once more so that it
// reconciles whatever a crash left open (docs/design.md section 4 speaks of the state
// "after recovery"), stopped again; then the record logs and the live state
// are read and handed to the pure checks.
import { readRecordLog } from '../validate/record-logs.js';
import { findViolations, type Revocation, type Violation } from '../validate/violations.js';
import type { FleetLoad } from './fleet-load.js';
import type { Fleet } from './fleet.js';

export async function collectAndValidate(fleet: Fleet, load: FleetLoad, revocations: readonly Revocation[], t0: number): Promise<Violation[]> {
  for (const b of fleet.brokers) {
    await b.stop();
    await b.restart();
    await b.stop();
  }
  const records = fleet.brokers.flatMap((b) => readRecordLog(b.recordLog, t0));
  const live = (await load.liveIndices()).map((index, slot) => ({ slot, index }));
  return findViolations({ history: load.history, records, revocations, live });
}
