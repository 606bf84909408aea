import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

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
});
