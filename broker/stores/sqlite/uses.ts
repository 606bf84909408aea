// The replay ledger's table and the one statement that consumes a use, in the
// ledger's own file (ledger.ts) or in the record log's database
// (SqliteRecordLog#replayLedger). One statement takes a use, so two consumes
// of one certificate cannot both win, on one connection or across processes.
import type Database from 'better-sqlite3';
import type { ConsumeResult, ReplayLedger, UseClaim } from '../../core/ports/ledger.js';
import type { GroupCommit } from './group-commit.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS uses (
  issuer TEXT NOT NULL,
  jti TEXT NOT NULL,
  used INTEGER NOT NULL,
  allowed INTEGER NOT NULL,
  retain_until_ms INTEGER NOT NULL,
  PRIMARY KEY (issuer, jti)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS uses_retain ON uses (retain_until_ms);
`;

// Insert the first use, or take one more while any is left. RETURNING yields
// a row only when a use was actually taken.
const CONSUME = `
INSERT INTO uses (issuer, jti, used, allowed, retain_until_ms) VALUES (?, ?, 1, ?, ?)
ON CONFLICT (issuer, jti) DO UPDATE SET used = used + 1 WHERE used < allowed
RETURNING used`;

/**
 * When a consume is granted: once its transaction is on disk (`durable`), or
 * once it committed (`committed`), which is sound only where the database's
 * owner syncs a record after every consume, through the same WAL, before
 * anything runs on that use or anyone is answered.
 */
export type ConsumeGrant = 'durable' | 'committed';

/** Creates the table if it is not there (it is no evidence: the record log's auditor ignores it). */
export function createUsesTable(db: Database.Database): void {
  db.exec(SCHEMA);
}

/** The ledger over the `uses` table of `db` (createUsesTable), written through the database owner's group commit; the owner closes the database. */
export class UsesTable implements ReplayLedger {
  private readonly consumeStmt: Database.Statement<[string, string, number, number], { used: number }>;
  private readonly pruneStmt: Database.Statement<[number]>;

  constructor(
    db: Database.Database,
    private readonly commits: GroupCommit,
    private readonly grant: ConsumeGrant,
  ) {
    this.consumeStmt = db.prepare(CONSUME);
    this.pruneStmt = db.prepare('DELETE FROM uses WHERE retain_until_ms < ?');
  }

  async consume(claim: UseClaim): Promise<ConsumeResult> {
    const take = () => this.consumeStmt.get(claim.issuer, claim.jti, claim.uses, claim.retainUntilMs);
    // A consume granted at commit starts no fsync: the record that follows it waits for the one that covers both.
    const row = this.grant === 'durable' ? await this.commits.submit(take) : (await this.commits.submitCommitted(take, 'with-next')).value;
    return row === undefined ? 'exhausted' : 'consumed';
  }

  async prune(nowMs: number): Promise<number> {
    return this.commits.submit(() => this.pruneStmt.run(nowMs).changes);
  }

  async close(): Promise<void> {
    // The database is its owner's to close.
  }
}
