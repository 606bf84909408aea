// The record log on a SQLite file, one per broker, written by one process.
// Each append's rows (the signed entry, the Merkle subtrees it completes and
// the open-allow index) go into a group-commit transaction that ends with one
// tree head covering every record in it, so the file never shows a record
// that no head signs, and appends made together share one head signature as
// they share one fsync. Proofs and a restart read
// O(log n) rows: the subtrees table holds every interior hash a proof needs,
// and the chain tip and Merkle frontier are rebuilt from it on open. Each
// append (group-commit.ts) is answered once it is on disk, but an outcome once it is committed
// (appendOutcome): `tip` runs ahead over appends in flight, `committed` is
// what the file's transactions hold, `durable` what is synced to disk, and a
// failed commit takes the tip back to `committed`. The broker's replay ledger
// may live in the same database (replayLedger), where the decision record
// that follows each consume makes it durable.
import Database from 'better-sqlite3';
import { requireRegularFile } from '../../files.js';
import { encodeBase64url } from '../../core/base64url.js';
import { ConfigError, IntegrityError, InvalidInputError, IoError, SebError } from '../../core/errors.js';
import { canonicalize } from '../../core/jcs.js';
import { importKeySet, type KeySet, type SigningKey } from '../../core/keys.js';
import type { ReplayLedger } from '../../core/ports/ledger.js';
import type { Appended, Committed, ConsistencyProof, DecisionInput, DecisionRef, InclusionProof, IntentInput, OutcomeInput, RecordLog, TallyInput } from '../../core/ports/record-log.js';
import { AllowPairing, allowOf, intentMismatch, type OpenAllow } from '../../core/records/allows.js';
import { Frontier, leafHash, storedConsistencyProof, storedInclusionProof, type Subtree, type SubtreeHashes } from '../../core/records/merkle.js';
import { openEntry } from '../../core/records/open-entry.js';
import { GENESIS_PREV, entryHash, signEntry, type LogRecord } from '../../core/records/record.js';
import { signTreeHead, type SignedTreeHead } from '../../core/records/tree-head.js';
import { isJsonObject, parseStrictJson, type JsonObject } from '../../core/strict-json.js';
import { FORMAT_VERSION, META_BROKER, META_KEYS, SCHEMA, headForRecords } from './record-log-schema.js';
import { lockWriter } from './record-log-lock.js';
import { GroupCommit, WalFile } from './group-commit.js';
import { createUsesTable, UsesTable } from './uses.js';

export interface SqliteRecordLogOptions {
  readonly broker: string;
  readonly key: SigningKey;
  /** FULL (default): a record is on disk before its append resolves (so a decision before anything executes). NORMAL may lose the last commits on power loss. */
  readonly synchronous?: 'FULL' | 'NORMAL';
  readonly now?: () => number;
  /** How long a writer waits for another connection's lock before failing (ms). */
  readonly busyTimeoutMs?: number;
  /** Called with each SQL statement as it runs (better-sqlite3's `verbose`): how tests count reads. */
  readonly trace?: (sql: string) => void;
}

/** The end of the chain: its Merkle frontier and the hash of its last entry. */
interface Chain {
  readonly frontier: Frontier;
  readonly prev: string;
}

/** A chain as a transaction left it, with the head that signs it. */
interface Tip extends Chain {
  readonly head: SignedTreeHead;
}

type Build = (seq: number, time: number, broker: string) => LogRecord;

interface Write {
  readonly seq: number;
  readonly jws: string;
  readonly record: LogRecord;
  readonly completed: readonly Subtree[];
}

/** The records staged until the next group commit: their transaction signs one head over them, `tip`. */
interface Batch {
  tip: Tip | undefined;
}

/** What a staged record learns when its transaction commits: the batch's head, and when it is on disk. */
interface Written {
  readonly tip: Tip;
  readonly durable: Promise<void>;
}

export class SqliteRecordLog implements RecordLog {
  private readonly write: (w: Write) => void;
  private readonly writeHead: (head: SignedTreeHead) => void;
  private readonly subtree: SubtreeHashes;
  private readonly commits: GroupCommit;
  private tip: Chain;
  /** The batch appends are staged into now; none while only the ledger writes. */
  private open: Batch | undefined;
  /** What the file's committed transactions hold (ahead of `durable` while their sync runs). */
  private committed: Tip;
  private ledger: UsesTable | undefined;

  private constructor(
    private readonly path: string,
    private readonly db: Database.Database,
    private readonly lock: Database.Database,
    private readonly options: SqliteRecordLogOptions,
    private readonly keys: KeySet,
    private durable: Tip,
    private readonly wal: WalFile,
  ) {
    this.tip = durable;
    this.committed = durable;
    this.write = appendWriter(db);
    this.writeHead = headWriter(db);
    this.subtree = subtreeReader(db, path);
    // A batch commits everything appended up to its flush, which is the tip then, under one head; `durable` follows each append's sync (stage).
    const sync = (options.synchronous ?? 'FULL') === 'FULL' ? () => wal.sync() : undefined;
    let closed: Batch | undefined;
    this.commits = new GroupCommit(
      db,
      {
        closing: () => {
          closed = this.open;
          this.open = undefined;
          if (closed === undefined) return;
          closed.tip = this.signHead(this.tip);
          this.writeHead(closed.tip.head);
        },
        committed: () => {
          if (closed?.tip !== undefined) this.committed = closed.tip;
        },
        rolledBack: () => {
          this.open = undefined;
          this.tip = this.committed;
        },
      },
      sync,
    );
  }

  /** Open or create the log at `path`; an existing log resumes its chain. Refused while another process or connection writes it. */
  static open(path: string, options: SqliteRecordLogOptions): SqliteRecordLog {
    if (options.broker === '') throw new ConfigError('broker id', 'must not be empty');
    const lock = lockWriter(path);
    let db: Database.Database | undefined;
    let wal: WalFile | undefined;
    requireRegularFile(path, 'record log', { mayBeAbsent: true });
    try {
      db = new Database(path, options.trace === undefined ? {} : { verbose: (sql) => options.trace?.(String(sql)) });
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      db.pragma('journal_mode = WAL');
      // FULL is kept by flushing the WAL off the event loop before an append resolves (group-commit.ts).
      db.pragma('synchronous = NORMAL');
      const opened = db;
      const { tip, keys } = opened.transaction(() => resume(opened, path, options)).immediate();
      wal = new WalFile(path);
      wal.syncNow();
      return new SqliteRecordLog(path, opened, lock, options, keys, tip, wal);
    } catch (error) {
      wal?.close();
      db?.close();
      lock.close();
      throw asIoError(error, `record log ${path}`);
    }
  }

  async appendDecision(d: DecisionInput): Promise<Appended> {
    return this.append(decisionRecord(d));
  }

  async appendIntent(i: IntentInput): Promise<Appended> {
    return this.append(intentRecord(i));
  }

  /** Both records are staged in the same turn, so they share one group-commit transaction: one fsync, both or neither. */
  async appendAllow(d: DecisionInput, intentOf: (decision: DecisionRef) => IntentInput): Promise<{ decision: Appended; intent: Appended }> {
    const decision = this.stage(decisionRecord(d));
    const intent = this.stage(intentRecord(intentOf(decision.ref)));
    // The intent cannot be on disk without its decision: both settle with the one transaction.
    const [decisionTip, intentTip] = await Promise.all([onDisk(decision.written), onDisk(intent.written)]);
    return { decision: appended(decision.ref, decisionTip), intent: appended(intent.ref, intentTip) };
  }

  /** Resolves at commit: the intent before it is the write-ahead record, and reconciliation ends an allow whose outcome a crash lost. */
  async appendOutcome(o: OutcomeInput): Promise<Committed> {
    const { decision, jti, status, detail } = o;
    const { ref, written } = this.stage((seq, time, broker) => ({
      kind: 'outcome',
      seq,
      time,
      broker,
      decision: { seq: decision.seq, hash: decision.hash },
      jti,
      status,
      detail,
    }));
    const { tip, durable } = await written;
    // Not lost if nobody watches it: a failed sync breaks the group, and every later append fails.
    durable.catch(() => undefined);
    return { ...appended(ref, tip), durable };
  }

  async appendTally(t: TallyInput): Promise<Appended> {
    const { from, to, counts } = t;
    return this.append((seq, time, broker) => ({ kind: 'tally', seq, time, broker, from, to, counts: { ...counts } }));
  }

  async treeHead(): Promise<SignedTreeHead> {
    return this.durable.head;
  }

  async inclusionProof(seq: number): Promise<InclusionProof> {
    const { head, frontier } = this.durable;
    if (!Number.isSafeInteger(seq) || seq < 0 || seq >= head.size) throw new InvalidInputError(`record log: no record ${seq} (size ${head.size})`);
    const path = storedInclusionProof(seq, frontier, this.subtree);
    return { seq, leafHash: encodeBase64url(this.subtree(0, seq)), path: path.map(encodeBase64url), treeHead: head };
  }

  async consistencyProof(fromSize: number): Promise<ConsistencyProof> {
    const { head, frontier } = this.durable;
    if (!Number.isSafeInteger(fromSize) || fromSize < 0 || fromSize > head.size) {
      throw new InvalidInputError(`record log: size ${fromSize} is not within 0..${head.size}`);
    }
    return { fromSize, path: storedConsistencyProof(fromSize, frontier, this.subtree).map(encodeBase64url), treeHead: head };
  }

  /** The allows awaiting an outcome, each with its intent, read through the open-allow index and verified with the log's keys. */
  async openAllows(): Promise<readonly OpenAllow[]> {
    const rows = this.db.prepare('SELECT seq, intent FROM open_allows ORDER BY seq').all() as { seq: number; intent: number | null }[];
    return rows.map((row) => {
      const { record, hash } = this.readRecord(row.seq);
      const allow = allowOf(record, hash);
      if (allow === undefined) throw this.corrupt(`record ${row.seq} is indexed as an open allow but is not an allow`);
      if (row.intent === null) return allow;
      const intent = this.readRecord(row.intent).record;
      const why = intent.kind === 'intent' && intent.decision.seq === allow.seq ? intentMismatch(allow, intent) : `record ${row.intent} is not its intent`;
      if (why !== null || intent.kind !== 'intent') throw this.corrupt(`the intent of allow ${allow.seq}: ${why}`);
      return { ...allow, intent };
    });
  }

  /**
   * The replay ledger in this log's database, for a broker that alone spends
   * its uses: consumed through the log's connection and group commit, and
   * granted once committed. Sound because the broker appends a decision
   * record after every consume and waits for its sync before it runs
   * anything or answers: one WAL is sequential, so that sync covers the
   * consume; a crash before it loses both, when nothing ran on the use. The
   * log closes it.
   */
  replayLedger(): ReplayLedger {
    if (this.ledger === undefined) {
      createUsesTable(this.db);
      this.ledger = new UsesTable(this.db, this.commits, 'committed');
    }
    return this.ledger;
  }

  /** Waits for the syncs in flight (an outcome is answered before its sync), then closes. */
  async close(): Promise<void> {
    await this.commits.drained();
    this.db.close();
    this.wal.close();
    this.lock.close();
  }

  private async append(build: Build): Promise<Appended> {
    const { ref, written } = this.stage(build);
    return appended(ref, await onDisk(written));
  }

  /**
   * Signs the record onto the tip now and submits its rows to the next group
   * commit; `written` settles with that transaction (and the head it ended
   * with), its `durable` with the sync. Records staged in one turn of the
   * event loop commit together, in the order staged.
   */
  private stage(build: Build): { ref: DecisionRef; written: Promise<Written> } {
    const { key, broker, now = Date.now } = this.options;
    const seq = this.tip.frontier.size;
    const record = build(seq, now(), broker);
    const jws = signEntry(key, record, this.tip.prev);
    const { frontier, completed } = this.tip.frontier.appendReporting(leafHash(Buffer.from(jws, 'ascii')));
    const hash = entryHash(jws);
    this.tip = { frontier, prev: hash };
    const batch = (this.open ??= { tip: undefined });
    const failed = (error: unknown) => asIoError(error, `record log ${this.path}: append of record ${seq}`);
    const written = this.commits.submitCommitted(() => this.write({ seq, jws, record, completed })).then(
      (committed) => {
        const { tip } = batch;
        if (tip === undefined) throw failed(new Error('its transaction committed without a tree head'));
        return {
          tip,
          durable: committed.durable.then(
            () => {
              // Batches are synced in order, so the newest batch synced is what the file holds on disk.
              if (tip.frontier.size > this.durable.frontier.size) this.durable = tip;
            },
            (error: unknown) => {
              throw failed(error);
            },
          ),
        };
      },
      (error: unknown) => {
        // A transaction that failed took the tip back to what is committed: the next append retries the same seq.
        throw failed(error);
      },
    );
    return { ref: { seq, hash }, written };
  }

  /** The head of `chain`, signed at the time it commits. */
  private signHead(chain: Chain): Tip {
    const { key, broker, now = Date.now } = this.options;
    return { ...chain, head: signTreeHead(key, chain.frontier.size, chain.frontier.root(), now(), broker) };
  }

  private readRecord(seq: number): { record: LogRecord; hash: string } {
    const jws = this.db.prepare('SELECT jws FROM entries WHERE seq = ?').pluck().get(seq);
    if (typeof jws !== 'string') throw this.corrupt(`record ${seq} is missing`);
    const opened = openEntry(jws, this.keys, `record ${seq}`);
    if (!opened.ok) throw this.corrupt(opened.message);
    if (opened.entry.record.seq !== seq) throw this.corrupt(`record ${seq} is signed as seq ${opened.entry.record.seq}`);
    return { record: opened.entry.record, hash: entryHash(jws) };
  }

  private corrupt(what: string): IntegrityError {
    return new IntegrityError(`record log ${this.path}: ${what}; run seb audit verify`);
  }
}

/** Settles once a staged record is on disk, with its transaction's tip. */
async function onDisk(written: Promise<Written>): Promise<Tip> {
  const { tip, durable } = await written;
  await durable;
  return tip;
}

function appended(ref: DecisionRef, tip: Tip): Appended {
  return { seq: ref.seq, hash: ref.hash, treeHead: tip.head };
}

// Members are copied by name: a caller's extra property must never reach a
// signed record, where the auditor would reject it as malformed.
function decisionRecord(d: DecisionInput): Build {
  const { jti, iss, sub, cdg, decision, reason, phases } = d;
  return (seq, time, broker) => ({ kind: 'decision', seq, time, broker, jti, iss, sub, cdg, decision, reason, phases }) as LogRecord;
}

function intentRecord(i: IntentInput): Build {
  const { decision, jti, contract, pre, executor } = i;
  return (seq, time, broker) => ({
    kind: 'intent',
    seq,
    time,
    broker,
    decision: { seq: decision.seq, hash: decision.hash },
    jti,
    contract,
    ...(pre === undefined ? {} : { pre: pre.version === undefined ? { digest: pre.digest } : { digest: pre.digest, version: pre.version } }),
    ...(executor === undefined ? {} : { executor }),
  });
}

/** One append's rows (the entry, the subtrees it completes, the open-allow index), run inside a group commit's transaction; statements prepared once. */
function appendWriter(db: Database.Database): (w: Write) => void {
  const entry = db.prepare('INSERT INTO entries (seq, jws, leaf) VALUES (?, ?, ?)');
  const subtrees = subtreeWriter(db);
  const openAllow = db.prepare('INSERT INTO open_allows (seq, intent) VALUES (?, NULL)');
  const intent = db.prepare('UPDATE open_allows SET intent = ? WHERE seq = ?');
  const closeAllow = db.prepare('DELETE FROM open_allows WHERE seq = ?');
  return (w: Write) => {
    const { record } = w;
    entry.run(w.seq, w.jws, w.completed[0]!.hash);
    subtrees(w.completed);
    if (record.kind === 'decision' && record.decision === 'allow') openAllow.run(record.seq);
    if (record.kind === 'intent') intent.run(record.seq, record.decision.seq);
    if (record.kind === 'outcome') closeAllow.run(record.decision.seq);
  };
}

/** The head that ends a batch's transaction. */
function headWriter(db: Database.Database): (head: SignedTreeHead) => void {
  const insert = db.prepare('INSERT INTO tree_heads (size, jws) VALUES (?, ?)');
  return (head) => void insert.run(head.size, head.jws);
}

function subtreeWriter(db: Database.Database): (completed: readonly Subtree[]) => void {
  const insert = db.prepare('INSERT INTO subtrees (level, idx, hash) VALUES (?, ?, ?)');
  return (completed) => {
    // Level 0 is the entry's own leaf column.
    for (const t of completed) if (t.level > 0) insert.run(t.level, t.index, t.hash);
  };
}

/** Perfect-subtree hashes by (level, index): a leaf from `entries`, an interior node from `subtrees`; each one indexed read. */
function subtreeReader(db: Database.Database, path: string): SubtreeHashes {
  const leaf = db.prepare('SELECT leaf FROM entries WHERE seq = ?').pluck();
  const node = db.prepare('SELECT hash FROM subtrees WHERE level = ? AND idx = ?').pluck();
  return (level, index) => {
    const hash = level === 0 ? leaf.get(index) : node.get(level, index);
    if (!(hash instanceof Buffer) || hash.length !== 32) throw new IntegrityError(`record log ${path}: Merkle subtree ${level}/${index} is missing; run seb audit verify`);
    return hash;
  };
}

/** Create the meta rows and the empty tree head, or check them and rebuild the tip. */
function resume(db: Database.Database, path: string, options: SqliteRecordLogOptions): { tip: Tip; keys: KeySet } {
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
    return { tip: { frontier: Frontier.EMPTY, prev: GENESIS_PREV, head }, keys: importKeySet({ keys: [key.publicJwk] }) };
  }
  if (version !== FORMAT_VERSION && version !== 1) throw new ConfigError('record log', `${path} has format ${String(version)}, this broker reads ${FORMAT_VERSION}`);
  const meta = db.prepare('SELECT value FROM meta WHERE name = ?').pluck();
  const stored = meta.get(META_BROKER);
  if (stored !== broker) throw new ConfigError('broker id', `${path} is the log of broker ${JSON.stringify(stored)}, not ${JSON.stringify(broker)}`);
  const jwks = addKey(parseStrictJson(String(meta.get(META_KEYS)), `${path} key set`) as JsonObject, key);
  db.prepare('UPDATE meta SET value = ? WHERE name = ?').run(canonicalize(jwks), META_KEYS);
  const keys = importKeySet(jwks);
  if (version === 1) upgradeFromFormat1(db, path, keys);

  const head = headForRecords(db, path, keys);
  const frontier = Frontier.fromSubtrees(head.size, subtreeReader(db, path));
  // Never extend a log whose newest head does not sign what is stored.
  if (head.root !== encodeBase64url(frontier.root())) {
    throw new IntegrityError(`record log ${path}: the newest tree head does not match the stored records; run seb audit verify`);
  }
  const last = head.size === 0 ? undefined : db.prepare('SELECT jws FROM entries WHERE seq = ?').pluck().get(head.size - 1);
  return { tip: { frontier, prev: last === undefined ? GENESIS_PREV : entryHash(String(last)), head }, keys };
}

/** Format 1 kept no subtrees and no open-allow index: build both once from every record, each verified. */
function upgradeFromFormat1(db: Database.Database, path: string, keys: KeySet): void {
  db.exec(SCHEMA);
  const insertSubtrees = subtreeWriter(db);
  let frontier = Frontier.EMPTY;
  const pairing = new AllowPairing();
  for (const row of db.prepare('SELECT seq, jws FROM entries ORDER BY seq').all() as { seq: number; jws: string }[]) {
    const opened = openEntry(row.jws, keys, `record ${row.seq}`);
    if (!opened.ok || row.seq !== frontier.size) throw new IntegrityError(`record log ${path}: record ${row.seq} does not verify; run seb audit verify`);
    const appended = frontier.appendReporting(leafHash(Buffer.from(row.jws, 'ascii')));
    insertSubtrees(appended.completed);
    pairing.note(opened.entry.record, entryHash(row.jws));
    frontier = appended.frontier;
  }
  const insertOpen = db.prepare('INSERT INTO open_allows (seq, intent) VALUES (?, NULL)');
  for (const allow of pairing.openAllows()) insertOpen.run(allow.seq);
  db.pragma(`user_version = ${FORMAT_VERSION}`);
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
