// Record log unwritable: another connection holds the SQLite write lock on
// the broker's record log, so each append waits out busy_timeout and fails
// (SQLITE_BUSY), as a full or failing disk would make it fail. With no
// durable decision record the broker must refuse: audit_unavailable.
// better-sqlite3 waits synchronously, so the broker's event loop stalls for
// each wait and its revocation view soon goes stale too: only the first
// allow decided after the lock shows audit_unavailable, later ones are
// revocation_stale. The lock is therefore taken when the broker is idle, so
// that first append is a decision and not an in-flight outcome.
import Database from 'better-sqlite3';
import { FaultError, type BrokerUnderTest, type Fault } from './fault.js';

export function recordLogUnwritable(broker: BrokerUnderTest, inFlight: () => number): Fault {
  let lock: Database.Database | undefined;
  return {
    name: 'records-unwritable',
    target: broker.id,
    async inject() {
      const deadline = Date.now() + 10_000;
      while (inFlight() > 0) {
        if (Date.now() > deadline) throw new FaultError('records-unwritable', `${broker.id} never idle for 10 s`);
        await new Promise((r) => setTimeout(r, 1));
      }
      lock = new Database(broker.recordLog);
      // In WAL mode EXCLUSIVE takes the one write lock; readers go on.
      lock.exec('BEGIN EXCLUSIVE');
    },
    async remove() {
      if (lock === undefined) throw new FaultError('records-unwritable', 'removed before it was injected');
      lock.exec('ROLLBACK');
      lock.close();
      lock = undefined;
    },
  };
}
