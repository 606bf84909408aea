import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit, WalFile } from './group-commit.js';

let dir: string;
let db: Database.Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seb-group-commit-'));
  db = new Database(join(dir, 'g.db'));
  db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY)');
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = () => db.prepare('SELECT count(*) AS n FROM t').get() as { n: number };

describe('GroupCommit', () => {
  it('commits the writes submitted together in one transaction, and answers each only after the commit', async () => {
    const commits: number[] = [];
    const group = new GroupCommit(db, { committed: () => commits.push(count().n) });
    const insert = db.prepare('INSERT INTO t (k) VALUES (?)');
    const answers = [1, 2, 3].map((k) => group.submit(() => insert.run(k).changes));
    // Nothing is written before the event loop turns.
    expect(count().n).toBe(0);
    expect(await Promise.all(answers)).toEqual([1, 1, 1]);
    expect(commits).toEqual([3]);
  });

  it('fails every write of a batch when one fails, and leaves none of them on disk', async () => {
    let rolledBack = 0;
    const group = new GroupCommit(db, { rolledBack: () => rolledBack++ });
    const insert = db.prepare('INSERT INTO t (k) VALUES (?)');
    const answers = [1, 1].map((k) => group.submit(() => insert.run(k)));
    const settled = await Promise.allSettled(answers);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(rolledBack).toBe(1);
    expect(count().n).toBe(0);
    // The next batch is on its own.
    await group.submit(() => insert.run(7));
    expect(count().n).toBe(1);
  });

  it('answers a batch only once its sync is done, and one sync covers every batch committed while another ran', async () => {
    const syncs: { committed: number; done: () => void; fail: (e: Error) => void }[] = [];
    const sync = () => new Promise<void>((done, fail) => syncs.push({ committed: count().n, done, fail }));
    const group = new GroupCommit(db, {}, sync);
    const insert = db.prepare('INSERT INTO t (k) VALUES (?)');
    const answered: number[] = [];
    const first = group.submit(() => insert.run(1)).then(() => answered.push(1));
    await waitFor(() => syncs.length === 1);
    // Committed, but not answered before its sync.
    expect(count().n).toBe(1);
    const later = [2, 3].map((k) => group.submit(() => insert.run(k)).then(() => answered.push(k)));
    await waitFor(() => count().n === 3);
    expect(syncs).toHaveLength(1);
    expect(answered).toEqual([]);
    syncs[0]?.done();
    await first;
    expect(answered).toEqual([1]);
    // The next sync starts after both later batches committed, and covers both.
    await waitFor(() => syncs.length === 2);
    expect(syncs[1]?.committed).toBe(3);
    syncs[1]?.done();
    await Promise.all(later);
    expect(answered).toEqual([1, 2, 3]);
  });

  it('fails the writes of a sync that fails, and every write after it: they may not be on disk', async () => {
    let fail = true;
    const group = new GroupCommit(db, {}, async () => {
      if (fail) throw new Error('EIO');
    });
    const insert = db.prepare('INSERT INTO t (k) VALUES (?)');
    await expect(group.submit(() => insert.run(1))).rejects.toThrow('EIO');
    fail = false;
    await expect(group.submit(() => insert.run(2))).rejects.toThrow('EIO');
    expect(count().n).toBe(1);
  });

  it('acknowledges a write submitted to settle at commit before its sync, and settles its durable promise with the sync', async () => {
    const syncs: { committed: number; done: () => void }[] = [];
    const group = new GroupCommit(db, {}, () => new Promise<void>((done) => syncs.push({ committed: count().n, done })));
    const insert = db.prepare('INSERT INTO t (k) VALUES (?)');
    const committed = await group.submitCommitted(() => insert.run(1).changes);
    // Acknowledged with its sync requested but not done.
    expect(committed.value).toBe(1);
    expect(syncs).toMatchObject([{ committed: 1 }]);
    let durable = false;
    const synced = committed.durable.then(() => (durable = true));
    // A write that waits for its sync, submitted now, shares the next one.
    const waiting = group.submit(() => insert.run(2).changes);
    await waitFor(() => count().n === 2);
    expect(durable).toBe(false);
    syncs[0]?.done();
    await synced;
    await waitFor(() => syncs.length === 2);
    syncs[1]?.done();
    expect(await waiting).toBe(1);
  });

  it('reports a sync that fails after a write was acknowledged at commit, and fails every write after it', async () => {
    const syncs: ((error: Error) => void)[] = [];
    const group = new GroupCommit(db, {}, () => new Promise<void>((_, fail) => syncs.push(fail)));
    const insert = db.prepare('INSERT INTO t (k) VALUES (?)');
    const committed = await group.submitCommitted(() => insert.run(1));
    syncs[0]?.(new Error('EIO'));
    await expect(committed.durable).rejects.toThrow('EIO');
    // Broken for good: the write is in the file but perhaps not on disk.
    await expect(group.submitCommitted(() => insert.run(2))).rejects.toThrow('EIO');
    await expect(group.submit(() => insert.run(3))).rejects.toThrow('EIO');
    expect(count().n).toBe(1);
  });

  it('is drained once every write submitted is synced or failed', async () => {
    const syncs: (() => void)[] = [];
    const group = new GroupCommit(db, {}, () => new Promise<void>((done) => syncs.push(done)));
    const insert = db.prepare('INSERT INTO t (k) VALUES (?)');
    await group.drained();
    let drained = false;
    void group.submitCommitted(() => insert.run(1));
    const draining = group.drained().then(() => (drained = true));
    await waitFor(() => syncs.length === 1);
    expect(drained).toBe(false);
    syncs[0]?.();
    await draining;
  });

  it('flushes the log file of a WAL database, and cannot be opened where there is none', async () => {
    const path = join(dir, 'w.db');
    const wal = new Database(path);
    wal.pragma('journal_mode = WAL');
    wal.exec('CREATE TABLE t (k INTEGER PRIMARY KEY)');
    const file = new WalFile(path);
    await expect(file.sync()).resolves.toBeUndefined();
    file.close();
    wal.close();
    // No log file (the last connection removed it): nothing to vouch for.
    expect(() => new WalFile(path)).toThrow(/ENOENT/);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setImmediate(r));
}
