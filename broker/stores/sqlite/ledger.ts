// The replay ledger on a SQLite file of its own, which several connections
// or processes may share: one statement consumes a use (uses.ts), so two
// racing on one certificate cannot both win. Consumes are group-committed
// (group-commit.ts): a use is granted once the transaction that took it is on
// disk, its WAL flushed off the event loop. A broker that alone spends the
// uses may keep them in its record log instead (SqliteRecordLog#replayLedger).
import Database from 'better-sqlite3';
import { requireRegularFile } from '../../files.js';
import { IoError } from '../../core/errors.js';
import type { ConsumeResult, ReplayLedger, UseClaim } from '../../core/ports/ledger.js';
import { GroupCommit, WalFile } from './group-commit.js';
import { createUsesTable, UsesTable } from './uses.js';

export interface SqliteLedgerOptions {
  /** How long a writer waits for another connection's lock before failing (ms). */
  readonly busyTimeoutMs?: number;
}

export class SqliteLedger implements ReplayLedger {
  private readonly db: Database.Database;
  private readonly uses: UsesTable;
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
      createUsesTable(this.db);
      const wal = this.db.memory ? undefined : new WalFile(path);
      this.wal = wal;
      wal?.syncNow();
      this.uses = new UsesTable(this.db, new GroupCommit(this.db, {}, wal === undefined ? undefined : () => wal.sync()), 'durable');
    } catch (error) {
      throw new IoError(`ledger ${path}: ${(error as Error).message}`, { cause: error });
    }
  }

  consume(claim: UseClaim): Promise<ConsumeResult> {
    return this.uses.consume(claim);
  }

  prune(nowMs: number): Promise<number> {
    return this.uses.prune(nowMs);
  }

  async close(): Promise<void> {
    this.db.close();
    this.wal?.close();
  }
}
