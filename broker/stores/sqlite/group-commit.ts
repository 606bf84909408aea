// Group commit for a SQLite file in WAL mode: the writes submitted while the
// event loop is busy are run together in one IMMEDIATE transaction. A write
// submitted with `submit` is acknowledged once that transaction is on disk
// (or failed), never before. One submitted with `submitCommitted` is
// acknowledged once the transaction committed, with a promise of its sync:
// for a write whose durability something later covers (the next synced write
// to the same WAL: one WAL is sequential, so its sync covers every
// transaction committed before) or a restart repairs. If the transaction
// fails, every write in it fails with the same error and none of them is in
// the file.
//
// With `sync` (see WalFile), the file is opened with synchronous = NORMAL, so
// the commit itself writes the WAL without waiting for the disk, and `sync`
// flushes the WAL off the event loop (the libuv thread pool): the durability
// of synchronous = FULL, without blocking every request behind each fsync.
// Batches that commit while a sync runs share the next one. A sync that fails
// breaks the group for good: its writes are in the file but perhaps not on
// disk, so their sync promises and every later write fail, and the owner must
// restart (and reconcile).
import type Database from 'better-sqlite3';
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';

interface Pending {
  readonly run: () => unknown;
  readonly start: SyncStart;
  readonly resolve: (committed: CommittedWrite<unknown>) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * When a committed write's sync starts: at once (`now`), or with the next
 * sync that another write (or a drain) starts (`with-next`), for a write the
 * caller always follows with one that waits for its sync: that sync covers
 * both, and the first needs no fsync of its own.
 */
export type SyncStart = 'now' | 'with-next';

/** A write whose transaction committed: its result, and when it is on disk. */
export interface CommittedWrite<T> {
  readonly value: T;
  /** Settles once the write is synced; rejects when that sync fails, which breaks the group. */
  readonly durable: Promise<void>;
}

interface AwaitingSync {
  readonly synced: () => void;
  readonly failed: (error: unknown) => void;
}

export interface GroupCommitHooks {
  /** Inside a batch's transaction, after its writes: what the batch as a whole adds (a throw rolls the batch back). */
  readonly closing?: () => void;
  /** After a batch's transaction committed (before it is synced), before its callers hear of it. */
  readonly committed?: () => void;
  /** After a batch's transaction rolled back, before its callers hear of it. */
  readonly rolledBack?: () => void;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private awaitingSync: AwaitingSync[] = [];
  private syncing = false;
  /** A batch in `awaitingSync` wants its sync now. */
  private syncWanted = false;
  private broken: unknown;
  private drainWaiters: (() => void)[] = [];

  constructor(
    private readonly db: Database.Database,
    private readonly hooks: GroupCommitHooks = {},
    /** Makes everything committed so far durable; without it, a commit is taken as durable (synchronous = FULL does the sync). */
    private readonly sync?: () => Promise<void>,
  ) {}

  /** `run` executes inside the batch's transaction; its result is delivered once the batch is durable. */
  async submit<T>(run: () => T): Promise<T> {
    const { value, durable } = await this.submitCommitted(run);
    await durable;
    return value;
  }

  /**
   * `run` executes inside the batch's transaction; its result is delivered
   * once the batch committed (in the WAL, visible to every reader), with
   * `durable`, which settles once the batch is synced. For a write that
   * something later and synced covers, or whose loss a restart repairs: the
   * caller decides what it may do before `durable` settles.
   */
  submitCommitted<T>(run: () => T, start: SyncStart = 'now'): Promise<CommittedWrite<T>> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    return new Promise<CommittedWrite<T>>((resolve, reject) => {
      this.queue.push({ run, start, resolve: resolve as (committed: CommittedWrite<unknown>) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Settles once every write submitted so far is synced or failed: a close waits for it, so that no sync runs on a closed file. */
  drained(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    const drained = new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    // Writes left waiting for another's sync get one now.
    this.startSync();
    return drained;
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (this.broken !== undefined) {
      for (const p of batch) p.reject(this.broken);
    } else {
      this.commit(batch);
    }
    this.notifyIfIdle();
  }

  private commit(batch: readonly Pending[]): void {
    let results: unknown[];
    try {
      results = this.db
        .transaction(() => {
          const values = batch.map((p) => p.run());
          this.hooks.closing?.();
          return values;
        })
        .immediate();
    } catch (error) {
      this.hooks.rolledBack?.();
      for (const p of batch) p.reject(error);
      return;
    }
    this.hooks.committed?.();
    const durable = this.sync === undefined ? Promise.resolve() : this.awaitSync(batch.some((p) => p.start === 'now'));
    // A write whose caller does not wait for its sync is not lost silently when the sync fails: the group breaks, and every later write fails.
    durable.catch(() => undefined);
    batch.forEach((p, k) => p.resolve({ value: results[k], durable }));
  }

  /** The promise of the next sync to start, which covers this batch. */
  private awaitSync(wanted: boolean): Promise<void> {
    const durable = new Promise<void>((synced, failed) => this.awaitingSync.push({ synced, failed }));
    this.syncWanted ||= wanted;
    this.startSync();
    return durable;
  }

  /** One sync at a time, covering every batch committed before it started; started when one of them, or a drain, wants it. */
  private startSync(): void {
    const wanted = this.syncWanted || this.drainWaiters.length > 0;
    if (this.syncing || !wanted || this.awaitingSync.length === 0 || this.sync === undefined) return;
    this.syncing = true;
    this.syncWanted = false;
    const covered = this.awaitingSync;
    this.awaitingSync = [];
    this.sync().then(
      () => {
        for (const batch of covered) batch.synced();
      },
      (error: unknown) => {
        this.broken ??= error;
        for (const batch of [...covered, ...this.awaitingSync.splice(0)]) batch.failed(this.broken);
      },
    ).finally(() => {
      this.syncing = false;
      this.startSync();
      this.notifyIfIdle();
    });
  }

  private idle(): boolean {
    return !this.scheduled && !this.syncing && this.awaitingSync.length === 0;
  }

  private notifyIfIdle(): void {
    if (!this.idle()) return;
    for (const waiter of this.drainWaiters.splice(0)) waiter();
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
