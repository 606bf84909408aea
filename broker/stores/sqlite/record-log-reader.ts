// Read-only access to a record log for the auditor and the export: it opens
// the file without write access, so auditing a live broker's log can neither
// change it nor take its write lock. Nothing read here is trusted; audit.ts
// judges it.
import Database from 'better-sqlite3';
import { requireRegularFile } from '../../files.js';
import { IntegrityError, IoError, SebError } from '../../core/errors.js';
import { importKeySet } from '../../core/keys.js';
import type { StoredEntry, StoredTreeHead } from '../../core/records/audit.js';
import { parseStrictJson, type JsonValue } from '../../core/strict-json.js';
import { META_BROKER, META_KEYS, READABLE_FORMATS, headForRecords } from './record-log-schema.js';

export interface LogReader {
  /** The broker id the log names as its writer. */
  readonly broker: string;
  /** The public keys the log stores (a JWKS): only as good as the file they come from. */
  readonly keys: JsonValue;
  /** Entries in seq order, streamed. */
  entries(): IterableIterator<StoredEntry>;
  /** Tree heads in order of the size they are stored under, streamed. */
  treeHeads(): IterableIterator<StoredTreeHead>;
  /** The tree head covering the stored records, chosen by signed size (headForRecords); IntegrityError when there is none. */
  latestTreeHead(): string;
  close(): void;
}

interface EntryRow {
  seq: number;
  jws: unknown;
  leaf: unknown;
}

export function openLogForAudit(path: string): LogReader {
  let db: Database.Database;
  requireRegularFile(path, 'record log');
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new IoError(`record log ${path}: cannot open: ${(error as Error).message}`, { cause: error });
  }
  try {
    const version = db.pragma('user_version', { simple: true });
    if (!READABLE_FORMATS.includes(version)) throw new IntegrityError(`record log ${path}: format ${String(version)} is not one of ${READABLE_FORMATS.join(', ')}`);
    const meta = db.prepare('SELECT value FROM meta WHERE name = ?').pluck();
    const broker = meta.get(META_BROKER);
    const keys = meta.get(META_KEYS);
    if (typeof broker !== 'string' || typeof keys !== 'string') throw new IntegrityError(`record log ${path}: meta rows are missing`);
    const keySet = parseStrictJson(keys, `record log ${path} key set`);
    return {
      broker,
      keys: keySet,
      *entries() {
        for (const row of db.prepare('SELECT seq, jws, leaf FROM entries ORDER BY seq').iterate() as IterableIterator<EntryRow>) {
          // A value of the wrong type is handed on as text, for the auditor to reject as that record's fault.
          yield { seq: row.seq, jws: String(row.jws), leafHash: row.leaf instanceof Uint8Array ? row.leaf : new Uint8Array() };
        }
      },
      *treeHeads() {
        for (const row of db.prepare('SELECT size, jws FROM tree_heads ORDER BY size').iterate() as IterableIterator<{ size: number; jws: unknown }>) {
          yield { size: row.size, jws: String(row.jws) };
        }
      },
      latestTreeHead: () => headForRecords(db, path, importKeySet(keySet, `record log ${path} key set`)).jws,
      close: () => db.close(),
    };
  } catch (error) {
    db.close();
    if (error instanceof SebError) throw error;
    throw new IoError(`record log ${path}: ${(error as Error).message}`, { cause: error });
  }
}
