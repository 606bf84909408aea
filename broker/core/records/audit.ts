// The auditor: checks a whole log end to end and names the first thing wrong.
// Records are checked first, in order, so the answer is the earliest broken
// record; then the log's own tree heads; then a head the auditor kept from
// earlier, which is what catches a rollback or a fork that the log's own
// contents cannot reveal. Pure: the caller reads the log.
import { encodeBase64url } from '../base64url.js';
import type { KeySet } from '../keys.js';
import { Frontier, leafHash } from './merkle.js';
import { openEntry } from './open-entry.js';
import { GENESIS_PREV, entryHash } from './record.js';
import { openTreeHead, type SignedTreeHead } from './tree-head.js';

export interface StoredEntry {
  readonly seq: number;
  readonly jws: string;
  /** The leaf hash the store keeps for proofs, when it keeps one. */
  readonly leafHash?: Uint8Array;
}

export interface AuditInput {
  readonly broker: string;
  readonly keys: KeySet;
  /** Entries in stored order, each with the seq it is stored under; read once, so a store can stream them. */
  readonly entries: Iterable<StoredEntry>;
  /** The log's signed tree heads (compact JWS), in stored order. */
  readonly treeHeads: readonly string[];
  /** A tree head the auditor obtained earlier and kept outside the log. */
  readonly trustedHead?: string;
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
  'no_tree_head', // the log has no signed tree head at all
  'tree_head_mismatch', // a tree head's root is not the root of the records it covers
  'truncated', // a tree head covers records that are not there
  'tree_head_stale', // the newest tree head is older than the log or than the trusted head
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

interface Decided {
  readonly hash: string;
  readonly allow: boolean;
  readonly jti: string | null;
}

export function auditLog(input: AuditInput): AuditResult {
  const { broker, keys, entries } = input;
  const fail = (problem: AuditProblem, seq: number | null, message: string, treeSize?: number): AuditResult => ({
    ok: false,
    problem,
    seq,
    ...(treeSize === undefined ? {} : { treeSize }),
    message,
  });

  const heads = input.treeHeads.map((jws, i) => openTreeHead(jws, keys, `tree head #${i}`));
  const trusted = input.trustedHead === undefined ? undefined : openTreeHead(input.trustedHead, keys, 'trusted tree head');
  // Only the roots some head asks about are kept.
  const wanted = new Set<number>();
  for (const h of [...heads, trusted]) if (h?.ok) wanted.add(h.head.size);
  const roots = new Map<number, string>();

  let frontier = Frontier.EMPTY;
  let prev = GENESIS_PREV;
  const decisions = new Map<number, Decided>();
  if (wanted.has(0)) roots.set(0, encodeBase64url(frontier.root()));
  for (const stored of entries) {
    const i = frontier.size;
    if (stored.seq > i) return fail('seq_gap', i, `record ${i}: missing; the next stored record is ${stored.seq}`);
    if (stored.seq < i) return fail('seq_mismatch', i, `record ${i}: expected here, found seq ${stored.seq} again`);
    const opened = openEntry(stored.jws, keys, `record ${i}`);
    if (!opened.ok) return fail(opened.problem, i, opened.message);
    const { record, prev: claimedPrev } = opened.entry;
    const leaf = leafHash(Buffer.from(stored.jws, 'ascii'));
    if (stored.leafHash !== undefined && !leaf.equals(stored.leafHash)) return fail('leaf_mismatch', i, `record ${i}: stored leaf hash is not the hash of the entry`);
    if (record.seq !== i) return fail('seq_mismatch', i, `record ${i}: stored under seq ${i} but signed as seq ${record.seq}`);
    if (record.broker !== broker) return fail('wrong_broker', i, `record ${i}: written by broker ${JSON.stringify(record.broker)}`);
    if (claimedPrev !== prev) return fail('chain_broken', i, `record ${i}: prev is not the hash of record ${i - 1}`);
    const hash = entryHash(stored.jws);
    if (record.kind === 'decision') {
      decisions.set(i, { hash, allow: record.decision === 'allow', jti: record.jti });
    } else if (record.kind === 'outcome') {
      const d = decisions.get(record.decision.seq);
      const why =
        d === undefined || d.hash !== record.decision.hash
          ? `decision ${record.decision.seq} is not in the log`
          : !d.allow
            ? `decision ${record.decision.seq} is a deny`
            : d.jti !== record.jti
              ? `decision ${record.decision.seq} is for another certificate`
              : null;
      if (why !== null) return fail('outcome_without_decision', i, `record ${i}: outcome, but ${why}`);
    }
    frontier = frontier.append(leaf);
    if (wanted.has(frontier.size)) roots.set(frontier.size, encodeBase64url(frontier.root()));
    prev = hash;
  }

  const size = frontier.size;
  const checkHead = (head: SignedTreeHead, what: string): AuditResult | null => {
    if (head.broker !== broker) return fail('wrong_broker', null, `${what}: signed for broker ${JSON.stringify(head.broker)}`, head.size);
    if (head.size > size) return fail('truncated', size, `${what} covers ${head.size} records, the log holds ${size}`, head.size);
    if (roots.get(head.size) !== head.root) {
      return what === 'trusted tree head'
        ? fail('inconsistent_with_trusted_head', null, `the log's first ${head.size} records are not those the trusted tree head signed (a fork)`, head.size)
        : fail('tree_head_mismatch', null, `${what}: root is not the root of the first ${head.size} records`, head.size);
    }
    return null;
  };

  let latest: SignedTreeHead | undefined;
  for (const [i, opened] of heads.entries()) {
    if (!opened.ok) return fail(opened.problem, null, opened.message);
    const bad = checkHead(opened.head, `tree head #${i}`);
    if (bad !== null) return bad;
    if (latest === undefined || opened.head.size > latest.size) latest = opened.head;
  }
  if (latest === undefined) return fail('no_tree_head', size === 0 ? null : 0, 'the log has no signed tree head');
  if (latest.size < size) return fail('tree_head_stale', latest.size, `the newest tree head covers ${latest.size} of ${size} records`, latest.size);

  if (trusted !== undefined) {
    if (!trusted.ok) return fail(trusted.problem, null, trusted.message);
    const bad = checkHead(trusted.head, 'trusted tree head');
    if (bad !== null) return bad;
    if (latest.time < trusted.head.time) {
      return fail('tree_head_stale', null, `the newest tree head (time ${latest.time}) is older than the trusted one (time ${trusted.head.time})`, latest.size);
    }
  }
  return { ok: true, size, root: encodeBase64url(frontier.root()) };
}
