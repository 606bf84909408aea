// Every broker's record log, read back for the validator: through the
// read-only reader and each entry's signature (a record that does not verify
// is an error, not a record), reduced to the fields violations.ts checks,
// with times moved onto the run's clock.
import { importKeySet } from '../../broker/core/keys.js';
import { IntegrityError } from '../../broker/core/errors.js';
import { openEntry } from '../../broker/core/records/open-entry.js';
import { openLogForAudit } from '../../broker/stores/sqlite/record-log-reader.js';
import type { LogEntry } from './violations.js';

export function readRecordLog(path: string, t0: number): LogEntry[] {
  const reader = openLogForAudit(path);
  try {
    const keys = importKeySet(reader.keys, `record log ${path} keys`);
    const out: LogEntry[] = [];
    for (const stored of reader.entries()) {
      const opened = openEntry(stored.jws, keys, `${path} record ${stored.seq}`);
      if (!opened.ok) throw new IntegrityError(opened.message);
      const r = opened.entry.record;
      // An intent announces an allow's mint; the validator judges decisions and outcomes.
      if (r.kind === 'intent') continue;
      // A tally counts denials of unverified certificates: no jti, nothing for the validator.
      if (r.kind === 'tally') continue;
      out.push(
        r.kind === 'decision'
          ? { broker: r.broker, kind: 'decision', seq: r.seq, atMs: r.time - t0, decision: r.decision, reason: r.reason, jti: r.jti }
          : { broker: r.broker, kind: 'outcome', seq: r.seq, atMs: r.time - t0, decisionSeq: r.decision.seq, jti: r.jti, status: r.status },
      );
    }
    return out;
  } finally {
    reader.close();
  }
}
