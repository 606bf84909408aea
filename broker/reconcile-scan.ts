// Which allows in a record log have no outcome: the one question
// reconciliation asks of the log. Entries are read through the read-only
// reader and opened with the log's keys; one that does not open is a log to
// audit, not one to extend.
import { IntegrityError } from './core/errors.js';
import type { KeySet } from './core/keys.js';
import type { StoredEntry } from './core/records/audit.js';
import { openEntry } from './core/records/open-entry.js';
import { entryHash } from './core/records/record.js';

export interface OpenAllow {
  readonly seq: number;
  /** Entry hash: what the outcome cites. */
  readonly hash: string;
  readonly jti: string;
  readonly iss: string;
  readonly cdg: string;
}

export interface LogScan {
  readonly open: readonly OpenAllow[];
  /** Certificates with at least one allow, every one of them with its outcome. */
  readonly settled: readonly { readonly iss: string; readonly jti: string }[];
}

export function scanAllows(entries: Iterable<StoredEntry>, keys: KeySet): LogScan {
  const allows = new Map<number, OpenAllow>();
  const closed = new Set<number>();
  for (const stored of entries) {
    const opened = openEntry(stored.jws, keys, `record ${stored.seq}`);
    if (!opened.ok) throw new IntegrityError(`${opened.message}; run seb audit verify before reconciling`);
    const { record } = opened.entry;
    if (record.kind === 'decision' && record.decision === 'allow') {
      allows.set(record.seq, { seq: record.seq, hash: entryHash(stored.jws), jti: record.jti, iss: record.iss, cdg: record.cdg });
    } else if (record.kind === 'outcome') {
      closed.add(record.decision.seq);
    }
  }
  const open = [...allows.values()].filter((a) => !closed.has(a.seq));
  const unsettled = new Set(open.map((a) => certificateKey(a)));
  const settled = new Map<string, { iss: string; jti: string }>();
  for (const a of allows.values()) if (!unsettled.has(certificateKey(a))) settled.set(certificateKey(a), { iss: a.iss, jti: a.jti });
  return { open, settled: [...settled.values()] };
}

export function certificateKey(c: { readonly iss: string; readonly jti: string }): string {
  return JSON.stringify([c.iss, c.jti]);
}
