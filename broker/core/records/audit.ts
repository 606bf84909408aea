// The auditor: checks a whole log end to end and names the first thing wrong.
// Records are checked first, in order, so the answer is the earliest broken
// record; then the log's own tree heads; then a head the auditor kept from
// earlier, which is what catches a rollback or a fork that the log's own
// contents cannot reveal. Pure: the caller reads the log. One pass over
// records and heads together, holding only the Merkle frontier, the open
// allows and one bit per record, so memory stays bounded however long the log.
import { encodeBase64url } from '../base64url.js';
import type { KeySet } from '../keys.js';
import { AllowPairing } from './allows.js';
import { Frontier, leafHash } from './merkle.js';
import { openEntry } from './open-entry.js';
import { GENESIS_PREV, entryHash, type LogRecord } from './record.js';
import { openTreeHead, type OpenedTreeHead, type SignedTreeHead } from './tree-head.js';

export interface StoredEntry {
  readonly seq: number;
  readonly jws: string;
  /** The leaf hash the store keeps for proofs, when it keeps one. */
  readonly leafHash?: Uint8Array;
}

/** A tree head as stored: its JWS and the size it is stored under (the store's key, which only the signature vouches for). */
export interface StoredTreeHead {
  readonly size: number;
  readonly jws: string;
}

export interface AuditInput {
  readonly broker: string;
  readonly keys: KeySet;
  /** Entries in stored order, each with the seq it is stored under; read once, so a store can stream them. */
  readonly entries: Iterable<StoredEntry>;
  /** The log's signed tree heads in order of the size they are stored under; read once, alongside the entries. */
  readonly treeHeads: Iterable<StoredTreeHead>;
  /** A tree head the auditor obtained earlier and kept outside the log. */
  readonly trustedHead?: string;
  /** How many of the last allows may still lack their outcome (a running broker's executions); default 0. */
  readonly inFlight?: number;
}

export const AUDIT_PROBLEMS = [
  'malformed', // not a JWS, or its header or record is off
  'unknown_key', // signed by a kid that is not a broker key
  'bad_signature', // modified after signing
  'not_canonical', // the payload is not the one JCS spelling
  'leaf_mismatch', // the stored leaf hash is not the hash of the entry
  'seq_gap', // a record is missing from the stored sequence
  'seq_mismatch', // a record is stored under a seq other than its own (moved)
  'wrong_broker', // written for another broker's log
  'chain_broken', // prev is not the hash of the entry before
  'outcome_without_decision', // an outcome whose decision is absent, different, or a deny
  'duplicate_outcome', // a second outcome for one allow
  'intent_without_decision', // an intent whose allow is absent, closed, different, or signed another contract
  'allow_without_outcome', // an allow with no outcome, beyond the in-flight tail
  'no_tree_head', // the log has no signed tree head at all
  'tree_head_misplaced', // a tree head stored under a size other than the one it signs
  'tree_head_duplicate', // two tree heads stored for one size
  'tree_head_mismatch', // a tree head's root is not the root of the records it covers
  'truncated', // a tree head covers records that are not there
  'tree_head_stale', // the newest tree head covers fewer records than the log holds
  'inconsistent_with_trusted_head', // the first records differ from what the trusted head signed: a fork
] as const;

export type AuditProblem = (typeof AUDIT_PROBLEMS)[number];

export type AuditResult =
  | { readonly ok: true; readonly size: number; readonly root: string }
  | {
      readonly ok: false;
      readonly problem: AuditProblem;
      /** The first bad or missing record; null when the problem is a tree head that no one record explains. */
      readonly seq: number | null;
      /** Size of the tree head at fault, for tree-head problems. */
      readonly treeSize?: number;
      readonly message: string;
    };

type Failure = Extract<AuditResult, { ok: false }>;

function fail(problem: AuditProblem, seq: number | null, message: string, treeSize?: number): Failure {
  return { ok: false, problem, seq, ...(treeSize === undefined ? {} : { treeSize }), message };
}

export function auditLog(input: AuditInput): AuditResult {
  const heads = new HeadWalk(input.treeHeads, input.keys, input.broker);
  try {
    return walk(input, heads);
  } finally {
    // A store streaming its heads holds a cursor until the walk is ended.
    heads.close();
  }
}

function walk(input: AuditInput, heads: HeadWalk): AuditResult {
  const { broker, keys } = input;
  const trusted = input.trustedHead === undefined ? undefined : openTreeHead(input.trustedHead, keys, 'trusted tree head');
  let trustedRoot: string | undefined;

  let frontier = Frontier.EMPTY;
  let prev = GENESIS_PREV;
  const pairing = new AllowPairing();
  const reached = (): void => {
    const root = encodeBase64url(frontier.root());
    heads.reach(frontier.size, root);
    if (trusted?.ok === true && trusted.head.size === frontier.size) trustedRoot = root;
  };
  reached();
  for (const stored of input.entries) {
    const i = frontier.size;
    const checked = checkEntry(stored, i, prev, input);
    if ('ok' in checked) return checked;
    const { hash, record } = checked;
    const paired = pairing.note(record, hash);
    if (paired !== null) return fail(paired.problem, paired.seq, paired.message);
    frontier = frontier.append(leafHash(Buffer.from(stored.jws, 'ascii')));
    prev = hash;
    reached();
  }
  const unsettled = pairing.unsettled(input.inFlight ?? 0);
  if (unsettled !== null) return fail(unsettled.problem, unsettled.seq, unsettled.message);

  const headFault = heads.finish(frontier.size);
  if (headFault !== null) return headFault;
  if (trusted !== undefined) {
    const bad = checkTrustedHead(trusted, trustedRoot, frontier.size, broker);
    if (bad !== null) return bad;
  }
  return { ok: true, size: frontier.size, root: encodeBase64url(frontier.root()) };
}

/** Checks an entry where it is stored and in the chain; its record and entry hash when it is fine. */
function checkEntry(stored: StoredEntry, i: number, prev: string, input: AuditInput): Failure | { hash: string; record: LogRecord } {
  if (stored.seq > i) return fail('seq_gap', i, `record ${i}: missing; the next stored record is ${stored.seq}`);
  if (stored.seq < i) return fail('seq_mismatch', i, `record ${i}: expected here, found seq ${stored.seq} again`);
  const opened = openEntry(stored.jws, input.keys, `record ${i}`);
  if (!opened.ok) return fail(opened.problem, i, opened.message);
  const { record, prev: claimedPrev } = opened.entry;
  const leaf = leafHash(Buffer.from(stored.jws, 'ascii'));
  if (stored.leafHash !== undefined && !leaf.equals(stored.leafHash)) return fail('leaf_mismatch', i, `record ${i}: stored leaf hash is not the hash of the entry`);
  if (record.seq !== i) return fail('seq_mismatch', i, `record ${i}: stored under seq ${i} but signed as seq ${record.seq}`);
  if (record.broker !== input.broker) return fail('wrong_broker', i, `record ${i}: written by broker ${JSON.stringify(record.broker)}`);
  if (claimedPrev !== prev) return fail('chain_broken', i, `record ${i}: prev is not the hash of record ${i - 1}`);
  return { hash: entryHash(stored.jws), record };
}

/**
 * The log's own heads, walked alongside the records: each is judged when the
 * records reach the size it is stored under, which must be the size it signs.
 * The first fault is kept and reported only after every record passed, so a
 * bad record is always named first.
 */
class HeadWalk {
  private readonly heads: Iterator<StoredTreeHead>;
  private next: IteratorResult<StoredTreeHead>;
  private fault: Failure | null = null;
  private latest: SignedTreeHead | undefined;
  private lastKey = -1;
  private count = 0;

  constructor(
    heads: Iterable<StoredTreeHead>,
    private readonly keys: KeySet,
    private readonly broker: string,
  ) {
    this.heads = heads[Symbol.iterator]();
    this.next = this.heads.next();
  }

  close(): void {
    this.heads.return?.();
  }

  /** The records now number `size` with Merkle root `root`: judge the heads stored under sizes up to it. */
  reach(size: number, root: string): void {
    while (!this.next.done && this.next.value.size <= size) {
      const stored = this.next.value;
      this.next = this.heads.next();
      this.fault ??= this.judge(stored, stored.size === size ? root : undefined);
    }
  }

  /** After the last record: heads stored beyond it, and whether the newest head covers the whole log. */
  finish(size: number): Failure | null {
    while (!this.next.done) {
      const stored = this.next.value;
      this.next = this.heads.next();
      this.fault ??= this.judge(stored, undefined, size);
    }
    if (this.fault !== null) return this.fault;
    if (this.latest === undefined) return fail('no_tree_head', size === 0 ? null : 0, 'the log has no signed tree head');
    if (this.latest.size < size) return fail('tree_head_stale', this.latest.size, `the newest tree head covers ${this.latest.size} of ${size} records`, this.latest.size);
    return null;
  }

  /** `root` is the root at the stored size, undefined when the records never reached it (then `logSize` says how many there are). */
  private judge(stored: StoredTreeHead, root: string | undefined, logSize?: number): Failure | null {
    const what = `tree head #${this.count++}`;
    const opened = openTreeHead(stored.jws, this.keys, what);
    if (!opened.ok) return fail(opened.problem, null, opened.message);
    const { head } = opened;
    if (stored.size === this.lastKey) return fail('tree_head_duplicate', null, `${what}: a second tree head stored for size ${stored.size}`, head.size);
    this.lastKey = stored.size;
    if (head.size !== stored.size) return fail('tree_head_misplaced', null, `${what}: stored under size ${stored.size} but signs size ${head.size}`, head.size);
    if (head.broker !== this.broker) return fail('wrong_broker', null, `${what}: signed for broker ${JSON.stringify(head.broker)}`, head.size);
    if (root === undefined) return fail('truncated', logSize ?? null, `${what} covers ${head.size} records, the log holds ${logSize}`, head.size);
    if (head.root !== root) return fail('tree_head_mismatch', null, `${what}: root is not the root of the first ${head.size} records`, head.size);
    this.latest = head;
    return null;
  }
}

/** A head kept outside the log: the log must hold at least its records, with its root at its size. */
function checkTrustedHead(trusted: OpenedTreeHead, rootAtItsSize: string | undefined, size: number, broker: string): Failure | null {
  if (!trusted.ok) return fail(trusted.problem, null, trusted.message);
  const { head } = trusted;
  const what = 'trusted tree head';
  if (head.broker !== broker) return fail('wrong_broker', null, `${what}: signed for broker ${JSON.stringify(head.broker)}`, head.size);
  if (head.size > size) return fail('truncated', size, `${what} covers ${head.size} records, the log holds ${size}`, head.size);
  // Size and root decide, never time: a broker whose clock stepped back signs
  // heads older than one kept earlier, and the records still prove the log only grew.
  if (rootAtItsSize !== head.root) {
    return fail('inconsistent_with_trusted_head', null, `the log's first ${head.size} records are not those the trusted tree head signed (a fork)`, head.size);
  }
  return null;
}
