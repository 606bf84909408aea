// Group commit for a SQLite file in WAL mode: the writes submitted while the
// event loop is busy are run together in one IMMEDIATE transaction, and each
// caller's promise settles only once that transaction is on disk (or failed).
// Nothing is weakened: a write is acknowledged after it is durable, never
// before. If the transaction fails, every write in it fails with the same
// error and none of them is in the file.
//
// With `sync` (see WalFile), the file is opened with synchronous = NORMAL, so
// the commit itself writes the WAL without waiting for the disk, and `sync`
// flushes the WAL off the event loop (the libuv thread pool) before the
// batch's callers hear of it: the durability of synchronous = FULL, without
// blocking every request behind each fsync. Batches that commit while a sync
// runs share the next one. A sync that fails breaks the group for good: its
// writes are in the file but perhaps not on disk, so they and every later
// write fail, and the owner must restart (and reconcile).
import type Database from 'better-sqlite3';
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';

interface Pending {
  readonly run: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

interface Committed {
  readonly batch: readonly Pending[];
  readonly results: readonly unknown[];
}

export interface GroupCommitHooks {
  /** After a batch's transaction committed (before it is synced), before its callers hear of it. */
  readonly committed?: () => void;
  /** After a batch's transaction rolled back, before its callers hear of it. */
  readonly rolledBack?: () => void;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private awaitingSync: Committed[] = [];
  private syncing = false;
  private broken: unknown;

  constructor(
    private readonly db: Database.Database,
    private readonly hooks: GroupCommitHooks = {},
    /** Makes everything committed so far durable; without it, a commit is taken as durable (synchronous = FULL does the sync). */
    private readonly sync?: () => Promise<void>,
  ) {}

  /** `run` executes inside the batch's transaction; its result is delivered once the batch is durable. */
  submit<T>(run: () => T): Promise<T> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (this.broken !== undefined) {
      for (const p of batch) p.reject(this.broken);
      return;
    }
    let results: unknown[];
    try {
      results = this.db.transaction(() => batch.map((p) => p.run())).immediate();
    } catch (error) {
      this.hooks.rolledBack?.();
      for (const p of batch) p.reject(error);
      return;
    }
    this.hooks.committed?.();
    if (this.sync === undefined) {
      batch.forEach((p, k) => p.resolve(results[k]));
      return;
    }
    this.awaitingSync.push({ batch, results });
    this.startSync();
  }

  /** One sync at a time, covering every batch committed before it started. */
  private startSync(): void {
    if (this.syncing || this.awaitingSync.length === 0 || this.sync === undefined) return;
    this.syncing = true;
    const covered = this.awaitingSync;
    this.awaitingSync = [];
    this.sync().then(
      () => {
        for (const { batch, results } of covered) batch.forEach((p, k) => p.resolve(results[k]));
      },
      (error: unknown) => {
        this.broken ??= error;
        for (const { batch } of [...covered, ...this.awaitingSync.splice(0)]) for (const p of batch) p.reject(this.broken);
      },
    ).finally(() => {
      this.syncing = false;
      this.startSync();
    });
  }
}

/**
 * A WAL-mode database's log file, flushed to disk as synchronous = FULL does
 * at each commit: `sync` on the thread pool, `syncNow` blocking (for what an
 * open writes before anything is served). The file stays open: SQLite removes
 * the WAL only when the last connection closes, and the owner's connection is
 * open until it closes this. Open it once the WAL exists (after the
 * database's first transaction).
 */
export class WalFile {
  private readonly fd: number;

  constructor(dbPath: string) {
    this.fd = openSync(`${dbPath}-wal`, 'r');
  }

  sync(): Promise<void> {
    return new Promise<void>((resolve, reject) => fdatasync(this.fd, (error) => (error === null ? resolve() : reject(error))));
  }

  syncNow(): void {
    fdatasyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}
