// The record log on a SQLite file, one per broker. Each append writes the
// signed entry and the tree head that covers it in one transaction, so the
// file never shows a record that no head signs; appends made together share
// the transaction and its fsync (group-commit.ts), and each is answered once
// it is on disk. The chain tip and the Merkle frontier live in memory and are
// rebuilt from the file on open: `tip` runs ahead over appends in flight,
// `durable` is what the file holds, and a failed commit takes the tip back.
import Database from 'better-sqlite3';
import { encodeBase64url } from '../../core/base64url.js';
import { ConfigError, IntegrityError, InvalidInputError, IoError, SebError } from '../../core/errors.js';
import { canonicalize } from '../../core/jcs.js';
import { importKeySet, type SigningKey } from '../../core/keys.js';
import type { Appended, ConsistencyProof, DecisionInput, InclusionProof, OutcomeInput, RecordLog } from '../../core/ports/record-log.js';
import { Frontier, consistencyProof, inclusionProof, leafHash } from '../../core/records/merkle.js';
import { GENESIS_PREV, entryHash, signEntry, type LogRecord } from '../../core/records/record.js';
import { openTreeHead, signTreeHead, type SignedTreeHead } from '../../core/records/tree-head.js';
import { isJsonObject, parseStrictJson, type JsonObject } from '../../core/strict-json.js';
import { GroupCommit } from './group-commit.js';
import { FORMAT_VERSION, META_BROKER, META_KEYS, SCHEMA } from './record-log-schema.js';

export interface SqliteRecordLogOptions {
  readonly broker: string;
  readonly key: SigningKey;
  /** FULL (default): a decision is on disk before anything executes. NORMAL may lose the last commits on power loss. */
  readonly synchronous?: 'FULL' | 'NORMAL';
  readonly now?: () => number;
  /** How long a writer waits for another connection's lock before failing (ms). */
  readonly busyTimeoutMs?: number;
}

interface Tip {
  readonly frontier: Frontier;
  readonly prev: string;
  readonly head: SignedTreeHead;
}

export class SqliteRecordLog implements RecordLog {
  private readonly write: (seq: number, jws: string, leaf: Buffer, head: SignedTreeHead) => void;
  private readonly commits: GroupCommit;
  private tip: Tip;

  private constructor(
    private readonly path: string,
    private readonly db: Database.Database,
    private readonly options: SqliteRecordLogOptions,
    private durable: Tip,
  ) {
    this.tip = durable;
    const insertEntry = db.prepare('INSERT INTO entries (seq, jws, leaf) VALUES (?, ?, ?)');
    const insertHead = db.prepare('INSERT INTO tree_heads (size, jws) VALUES (?, ?)');
    this.write = (seq: number, jws: string, leaf: Buffer, head: SignedTreeHead) => {
      insertEntry.run(seq, jws, leaf);
      insertHead.run(head.size, head.jws);
    };
    // A batch commits everything appended up to its flush, which is the tip then.
    this.commits = new GroupCommit(db, { committed: () => (this.durable = this.tip), rolledBack: () => (this.tip = this.durable) });
  }

  /** Open or create the log at `path`; an existing log resumes its chain. */
  static open(path: string, options: SqliteRecordLogOptions): SqliteRecordLog {
    if (options.broker === '') throw new ConfigError('broker id', 'must not be empty');
    let db: Database.Database | undefined;
    try {
      db = new Database(path);
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
      const opened = db;
      const tip = opened.transaction(() => resume(opened, path, options)).immediate();
      return new SqliteRecordLog(path, opened, options, tip);
    } catch (error) {
      db?.close();
      throw asIoError(error, `record log ${path}`);
    }
  }

  // Members are copied by name: a caller's extra property must never reach a
  // signed record, where the auditor would reject it as malformed.
  appendDecision(d: DecisionInput): Promise<Appended> {
    const { jti, iss, sub, cdg, decision, reason, phases } = d;
    return this.append((seq, time, broker) => ({ kind: 'decision', seq, time, broker, jti, iss, sub, cdg, decision, reason, phases }) as LogRecord);
  }

  appendOutcome(o: OutcomeInput): Promise<Appended> {
    const { decision, jti, status, detail } = o;
    return this.append((seq, time, broker) => ({
      kind: 'outcome',
      seq,
      time,
      broker,
      decision: { seq: decision.seq, hash: decision.hash },
      jti,
      status,
      detail,
    }));
  }

  async treeHead(): Promise<SignedTreeHead> {
    return this.durable.head;
  }

  async inclusionProof(seq: number): Promise<InclusionProof> {
    const { head } = this.durable;
    if (!Number.isSafeInteger(seq) || seq < 0 || seq >= head.size) throw new InvalidInputError(`record log: no record ${seq} (size ${head.size})`);
    const leaves = this.leaves(head.size);
    return { seq, leafHash: encodeBase64url(leaves[seq]!), path: inclusionProof(seq, leaves).map(encodeBase64url), treeHead: head };
  }

  async consistencyProof(fromSize: number): Promise<ConsistencyProof> {
    const { head } = this.durable;
    if (!Number.isSafeInteger(fromSize) || fromSize < 0 || fromSize > head.size) {
      throw new InvalidInputError(`record log: size ${fromSize} is not within 0..${head.size}`);
    }
    return { fromSize, path: consistencyProof(fromSize, this.leaves(head.size)).map(encodeBase64url), treeHead: head };
  }

  async close(): Promise<void> {
    this.db.close();
  }

  private async append(build: (seq: number, time: number, broker: string) => LogRecord): Promise<Appended> {
    const { key, broker, now = Date.now } = this.options;
    const seq = this.tip.frontier.size;
    const time = now();
    const jws = signEntry(key, build(seq, time, broker), this.tip.prev);
    const leaf = leafHash(Buffer.from(jws, 'ascii'));
    const frontier = this.tip.frontier.append(leaf);
    const head = signTreeHead(key, frontier.size, frontier.root(), time, broker);
    const hash = entryHash(jws);
    this.tip = { frontier, prev: hash, head };
    try {
      await this.commits.submit(() => this.write(seq, jws, leaf, head));
    } catch (error) {
      // The tip went back to what is on disk: the next append retries the same seq.
      throw asIoError(error, `record log ${this.path}: append of record ${seq}`);
    }
    return { seq, hash, treeHead: head };
  }

  // Proofs are served from the stored leaf hashes: O(n) per proof, which an
  // auditor's occasional request can afford; the append path never pays it.
  private leaves(size: number): Buffer[] {
    return this.db.prepare('SELECT leaf FROM entries WHERE seq < ? ORDER BY seq').pluck().all(size) as Buffer[];
  }
}

/** Create the meta rows and the empty tree head, or check them and rebuild the tip. */
function resume(db: Database.Database, path: string, options: SqliteRecordLogOptions): Tip {
  const { broker, key, now = Date.now } = options;
  const version = db.pragma('user_version', { simple: true });
  if (version === 0) {
    db.exec(SCHEMA);
    const setMeta = db.prepare('INSERT INTO meta (name, value) VALUES (?, ?)');
    setMeta.run(META_BROKER, broker);
    setMeta.run(META_KEYS, canonicalize({ keys: [key.publicJwk] }));
    db.pragma(`user_version = ${FORMAT_VERSION}`);
    const head = signTreeHead(key, 0, Frontier.EMPTY.root(), now(), broker);
    db.prepare('INSERT INTO tree_heads (size, jws) VALUES (?, ?)').run(0, head.jws);
    return { frontier: Frontier.EMPTY, prev: GENESIS_PREV, head };
  }
  if (version !== FORMAT_VERSION) throw new ConfigError('record log', `${path} has format ${String(version)}, this broker reads ${FORMAT_VERSION}`);
  const meta = db.prepare('SELECT value FROM meta WHERE name = ?').pluck();
  const stored = meta.get(META_BROKER);
  if (stored !== broker) throw new ConfigError('broker id', `${path} is the log of broker ${JSON.stringify(stored)}, not ${JSON.stringify(broker)}`);
  const jwks = addKey(parseStrictJson(String(meta.get(META_KEYS)), `${path} key set`) as JsonObject, key);
  db.prepare('UPDATE meta SET value = ? WHERE name = ?').run(canonicalize(jwks), META_KEYS);

  const frontier = Frontier.of(db.prepare('SELECT leaf FROM entries ORDER BY seq').pluck().all() as Buffer[]);
  const last = db.prepare('SELECT jws FROM entries ORDER BY seq DESC LIMIT 1').pluck().get() as string | undefined;
  const headJws = db.prepare('SELECT jws FROM tree_heads ORDER BY size DESC LIMIT 1').pluck().get() as string | undefined;
  const opened = headJws === undefined ? undefined : openTreeHead(headJws, importKeySet(jwks));
  // Never extend a log whose newest head does not sign what is stored.
  if (!opened?.ok || opened.head.size !== frontier.size || opened.head.root !== encodeBase64url(frontier.root())) {
    throw new IntegrityError(`record log ${path}: the newest tree head does not match the stored records; run seb audit verify`);
  }
  return { frontier, prev: last === undefined ? GENESIS_PREV : entryHash(last), head: opened.head };
}

/** A rotated broker key joins the log's key set; a kid reused for other key material is refused. */
function addKey(jwks: JsonObject, key: SigningKey): JsonObject {
  const keys = jwks.keys;
  if (!Array.isArray(keys)) throw new IntegrityError('record log: stored key set is not a JWKS');
  const same = keys.find((k) => isJsonObject(k) && k.kid === key.kid);
  if (same === undefined) return { keys: [...keys, key.publicJwk] };
  if (canonicalize(same) !== canonicalize(key.publicJwk)) throw new ConfigError('signing key', `kid ${key.kid} is already in the log with other key material`);
  return jwks;
}

function asIoError(error: unknown, what: string): SebError {
  if (error instanceof SebError) return error;
  return new IoError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
