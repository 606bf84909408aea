// Group commit for a SQLite file opened with synchronous = FULL: the writes
// submitted while the event loop is busy are run together in one IMMEDIATE
// transaction, so many of them share one fsync, and each caller's promise
// settles only once that transaction is on disk (or failed). Nothing is
// weakened: a write is acknowledged after it is durable, never before. Under
// load this turns one fsync per write into one per batch; alone, a write
// waits one turn of the event loop. If the transaction fails, every write
// in it fails with the same error and none of them is on disk.
import type Database from 'better-sqlite3';

interface Pending {
  readonly run: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommitHooks {
  /** After a batch's transaction committed, before its callers hear of it. */
  readonly committed?: () => void;
  /** After a batch's transaction rolled back, before its callers hear of it. */
  readonly rolledBack?: () => void;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly db: Database.Database,
    private readonly hooks: GroupCommitHooks = {},
  ) {}

  /** `run` executes inside the batch's transaction; its result is delivered once the batch is durable. */
  submit<T>(run: () => T): Promise<T> {
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
    let results: unknown[];
    try {
      results = this.db.transaction(() => batch.map((p) => p.run())).immediate();
    } catch (error) {
      this.hooks.rolledBack?.();
      for (const p of batch) p.reject(error);
      return;
    }
    this.hooks.committed?.();
    batch.forEach((p, k) => p.resolve(results[k]));
  }
}
