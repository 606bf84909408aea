// One writer per record log. A second writer would reconcile the first one's
// in-flight allows as failed while they run, then collide with it on every
// append. The lock is an EXCLUSIVE lock on a small SQLite file beside the
// log, held for as long as the log is open: the operating system drops it
// when the owner exits or crashes, so a dead owner never leaves the log
// locked and no pid has to be trusted. Readers (seb audit) open the log
// itself read-only and never touch the lock.
import Database from 'better-sqlite3';
import { ConfigError, IoError } from '../../core/errors.js';

export function lockWriter(logPath: string): Database.Database {
  const lockPath = `${logPath}.lock`;
  let lock: Database.Database | undefined;
  try {
    lock = new Database(lockPath);
    lock.pragma('busy_timeout = 0');
    // In exclusive locking mode the lock a write takes is kept until close.
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE');
    lock.exec('COMMIT');
    return lock;
  } catch (error) {
    lock?.close();
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') {
      throw new ConfigError('record log', `${logPath} is already open for writing by another broker process (it holds ${lockPath}); one process writes a log`);
    }
    throw new IoError(`record log ${logPath}: cannot take its write lock ${lockPath}: ${(error as Error).message}`, { cause: error });
  }
}
