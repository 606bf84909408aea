// Replay ledgers for a case: a fresh SQLite ledger with some uses already
// spent, or one that fails when asked (ledger_unavailable). In process the
// failing one is a stub of the port; for another process it is a SQLite file
// whose table refuses every write, so the real SqliteLedger fails.
import Database from 'better-sqlite3';
import { IoError } from '../../broker/core/errors.js';
import { useClaim, type ReplayLedger } from '../../broker/core/ports/ledger.js';
import { SqliteLedger } from '../../broker/stores/sqlite/ledger.js';
import type { LedgerSpec } from './case.js';

const DOWN_SCHEMA = `
CREATE TABLE uses (issuer TEXT NOT NULL, jti TEXT NOT NULL, used INTEGER NOT NULL, allowed INTEGER NOT NULL,
  retain_until_ms INTEGER NOT NULL, PRIMARY KEY (issuer, jti)) WITHOUT ROWID;
CREATE TRIGGER fuzz_down BEFORE INSERT ON uses BEGIN SELECT RAISE(ABORT, 'ledger down (fuzz fault)'); END;`;

const RETAIN_FOREVER_MS = Number.MAX_SAFE_INTEGER;

const downLedger: ReplayLedger = {
  consume: () => Promise.reject(new IoError('ledger down (fuzz fault)')),
  prune: () => Promise.resolve(0),
  close: () => Promise.resolve(),
};

// Opening SQLite costs more than a decision: in-memory ledgers are kept in a
// pool and emptied (pruned of every entry) before each case takes one.
const idle: SqliteLedger[] = [];
const EVERYTHING = Number.MAX_VALUE;

/** A ledger for an in-process decision, or undefined when the case has none; give it back with closeLedger. */
export async function openLedger(spec: LedgerSpec | null): Promise<ReplayLedger | undefined> {
  if (spec === null) return undefined;
  if ('down' in spec) return downLedger;
  const ledger = idle.pop() ?? new SqliteLedger(':memory:');
  await ledger.prune(EVERYTHING);
  await spend(ledger, spec);
  return ledger;
}

export function closeLedger(ledger: ReplayLedger | undefined): void {
  if (ledger instanceof SqliteLedger && idle.length < 16) idle.push(ledger);
  else void ledger?.close();
}

/** The ledger file a verifier process is given with --ledger. */
export async function writeLedgerFile(spec: LedgerSpec, path: string): Promise<void> {
  if ('down' in spec) {
    const db = new Database(path);
    try {
      db.exec(DOWN_SCHEMA);
    } finally {
      db.close();
    }
    return;
  }
  const ledger = new SqliteLedger(path);
  try {
    await spend(ledger, spec);
  } finally {
    await ledger.close();
  }
}

async function spend(ledger: ReplayLedger, spec: Exclude<LedgerSpec, { down: true }>): Promise<void> {
  const claim = { issuer: spec.issuer, jti: spec.jti, uses: spec.uses, retainUntilMs: RETAIN_FOREVER_MS };
  for (let i = 1; i <= spec.consumed; i++) await ledger.consume(spec.perUse ? useClaim(claim, i) : claim);
}
