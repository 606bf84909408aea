// The record log's SQLite layout, shared by the writer and the read-only
// auditor. `seq` is the Merkle leaf index; the primary keys are what stop two
// writers from both appending record n (the second insert fails, no fork).
// Format 2 adds two tables the writer keeps in the transaction of each
// append, so that proofs and a restart read O(log n) rows: `subtrees`, the
// hash of every perfect Merkle subtree completed so far (level >= 1; level 0
// is `entries.leaf`), and `open_allows`, each allow still awaiting its
// outcome with the seq of its intent. Both are indexes, not evidence: the
// auditor rebuilds everything from `entries` and the signed heads. A log
// that holds its broker's replay ledger also has the `uses` table (uses.ts),
// which the auditor ignores.
import Database from 'better-sqlite3';
import { IntegrityError } from '../../core/errors.js';
import type { KeySet } from '../../core/keys.js';
import { openTreeHead, type SignedTreeHead } from '../../core/records/tree-head.js';

export const FORMAT_VERSION = 2;
/** Formats the read-only reader understands: format 1 lacks only the writer's indexes. */
export const READABLE_FORMATS: readonly unknown[] = [1, FORMAT_VERSION];

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY, jws TEXT NOT NULL, leaf BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS tree_heads (size INTEGER PRIMARY KEY, jws TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS subtrees (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS open_allows (seq INTEGER PRIMARY KEY, intent INTEGER);
`;

/** Rows of `meta`: the broker id, and the broker's public keys as a JWKS (all kids ever used). */
export const META_BROKER = 'broker';
export const META_KEYS = 'keys';

/**
 * The tree head that covers the stored records, chosen by signed size, never
 * by row key alone: the records number n, the newest head must be stored
 * under n, and it must sign size n. A head copied under a larger key (say the
 * empty head under 10^6) is refused here, not trusted. Three indexed reads.
 */
export function headForRecords(db: Database.Database, path: string, keys: KeySet): SignedTreeHead {
  const size = db.prepare('SELECT COALESCE(MAX(seq) + 1, 0) FROM entries').pluck().get() as number;
  const newestKey = db.prepare('SELECT MAX(size) FROM tree_heads').pluck().get() as number | null;
  const problem = (what: string) => new IntegrityError(`record log ${path}: ${what}; run seb audit verify`);
  if (newestKey === null) throw problem('the log has no signed tree head');
  if (newestKey !== size) throw problem(`it holds ${size} records but its newest tree head is stored under size ${newestKey}`);
  const jws = db.prepare('SELECT jws FROM tree_heads WHERE size = ?').pluck().get(size);
  const opened = openTreeHead(String(jws), keys, `tree head of size ${size}`);
  if (!opened.ok) throw problem(opened.message);
  if (opened.head.size !== size) throw problem(`the tree head stored under size ${size} signs size ${opened.head.size}`);
  return opened.head;
}
