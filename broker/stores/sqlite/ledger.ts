// The replay ledger on a SQLite file: one statement consumes a use, so two
// connections (or processes) racing on one certificate cannot both win.
// Consumes are group-committed (group-commit.ts): a use is granted once the
// transaction that took it is on disk, its WAL flushed off the event loop.
import Database from 'better-sqlite3';
import { requireRegularFile } from '../../files.js';
import { IoError } from '../../core/errors.js';
import type { ConsumeResult, ReplayLedger, UseClaim } from '../../core/ports/ledger.js';
import { GroupCommit, WalFile } from './group-commit.js';

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

export interface SqliteLedgerOptions {
  /** How long a writer waits for another connection's lock before failing (ms). */
  readonly busyTimeoutMs?: number;
}

export class SqliteLedger implements ReplayLedger {
  private readonly db: Database.Database;
  private readonly consumeStmt: Database.Statement<[string, string, number, number], { used: number }>;
  private readonly pruneStmt: Database.Statement<[number]>;
  private readonly commits: GroupCommit;
  /** None for an in-memory ledger (the fuzzer's): nothing there outlives the process. */
  private readonly wal: WalFile | undefined;

  constructor(path: string, options: SqliteLedgerOptions = {}) {
    requireRegularFile(path, 'ledger', { mayBeAbsent: true });
    try {
      this.db = new Database(path);
      this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      this.db.pragma('journal_mode = WAL');
      // NORMAL: each consume's commit is flushed by the WAL's sync before it is granted (group-commit.ts).
      this.db.pragma('synchronous = NORMAL');
      this.db.exec(SCHEMA);
      this.wal = this.db.memory ? undefined : new WalFile(path);
      this.wal?.syncNow();
      this.consumeStmt = this.db.prepare(CONSUME);
      this.pruneStmt = this.db.prepare('DELETE FROM uses WHERE retain_until_ms < ?');
      const wal = this.wal;
      this.commits = new GroupCommit(this.db, {}, wal === undefined ? undefined : () => wal.sync());
    } catch (error) {
      throw new IoError(`ledger ${path}: ${(error as Error).message}`, { cause: error });
    }
  }

  async consume(claim: UseClaim): Promise<ConsumeResult> {
    const row = await this.commits.submit(() => this.consumeStmt.get(claim.issuer, claim.jti, claim.uses, claim.retainUntilMs));
    return row === undefined ? 'exhausted' : 'consumed';
  }

  async prune(nowMs: number): Promise<number> {
    return this.pruneStmt.run(nowMs).changes;
  }

  async close(): Promise<void> {
    this.db.close();
    this.wal?.close();
  }
}
