// The auditor on logs built in memory; tampering with a real SQLite log is
// tested in broker/stores/sqlite/record-log-audit.test.ts.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeBase64url } from '../base64url.js';
import { importKeySet, importPrivateJwk, type SigningKey } from '../keys.js';
import { auditLog, type StoredEntry, type StoredTreeHead } from './audit.js';
import { Frontier, leafHash } from './merkle.js';
import { GENESIS_PREV, entryHash, signEntry, type LogRecord } from './record.js';
import { signTreeHead } from './tree-head.js';

function newKey(kid: string): SigningKey {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  return importPrivateJwk({ ...(jwk as Record<string, string>), kid, alg: 'EdDSA' });
}

const key = newKey('k1');
const keys = importKeySet({ keys: [key.publicJwk] });
const broker = 'b1';

type Body = (hashes: string[]) => Omit<LogRecord, 'seq' | 'time' | 'broker'>;

/** Sign records into a chain with a tree head after each, as the SQLite log does. */
function build(bodies: Body[]): { entries: StoredEntry[]; treeHeads: StoredTreeHead[] } {
  const entries: StoredEntry[] = [];
  const hashes: string[] = [];
  let frontier = Frontier.EMPTY;
  const treeHeads = [{ size: 0, jws: signTreeHead(key, 0, frontier.root(), 0, broker).jws }];
  for (const [seq, body] of bodies.entries()) {
    const jws = signEntry(key, { ...body(hashes), seq, time: seq + 1, broker } as LogRecord, hashes.at(-1) ?? GENESIS_PREV);
    frontier = frontier.append(leafHash(Buffer.from(jws)));
    entries.push({ seq, jws });
    hashes.push(entryHash(jws));
    treeHeads.push({ size: frontier.size, jws: signTreeHead(key, frontier.size, frontier.root(), seq + 1, broker).jws });
  }
  return { entries, treeHeads };
}

const allow: Body = () => ({ kind: 'decision', jti: 'j1', iss: 'i', sub: 's', cdg: 'c', decision: 'allow', reason: null });
const deny: Body = () => ({ kind: 'decision', jti: null, iss: null, sub: null, cdg: null, decision: 'deny', reason: 'malformed' });
const outcomeOf =
  (seq: number, jti = 'j1', hash?: string): Body =>
  (hashes) => ({ kind: 'outcome', decision: { seq, hash: hash ?? hashes[seq]! }, jti, status: 'succeeded' });

describe('auditLog', () => {
  it('accepts an intact log and returns its size and root', () => {
    const log = build([allow, deny, outcomeOf(0)]);
    const root = Frontier.of(log.entries.map((e) => leafHash(Buffer.from(e.jws)))).root();
    expect(auditLog({ broker, keys, ...log })).toEqual({ ok: true, size: 3, root: encodeBase64url(root) });
    expect(auditLog({ broker, keys, ...build([]) })).toMatchObject({ ok: true, size: 0 });
  });

  it('names an outcome whose decision is a deny, is missing, or is for another certificate', () => {
    const cases: [Body[], number][] = [
      [[deny, outcomeOf(0)], 1],
      [[allow, outcomeOf(0, 'j1', GENESIS_PREV)], 1],
      [[allow, allow, outcomeOf(0, 'j2')], 2],
      [[outcomeOf(5, 'j1', GENESIS_PREV)], 0],
    ];
    for (const [bodies, seq] of cases) {
      expect(auditLog({ broker, keys, ...build(bodies) })).toMatchObject({ ok: false, problem: 'outcome_without_decision', seq });
    }
  });

  it('names a record stored twice under one seq', () => {
    const { entries, treeHeads } = build([allow, deny]);
    expect(auditLog({ broker, keys, entries: [entries[0]!, entries[0]!, entries[1]!], treeHeads })).toMatchObject({ problem: 'seq_mismatch', seq: 1 });
  });

  it('refuses a log with no tree head, or records of another broker', () => {
    const log = build([deny]);
    expect(auditLog({ broker, keys, entries: log.entries, treeHeads: [] })).toMatchObject({ problem: 'no_tree_head', seq: 0 });
    expect(auditLog({ broker: 'b2', keys, ...log })).toMatchObject({ problem: 'wrong_broker', seq: 0 });
  });

  it('judges a trusted head: accepted when extended, refused when larger than the log or from another broker', () => {
    const log = build([allow, outcomeOf(0)]);
    expect(auditLog({ broker, keys, ...log, trustedHead: log.treeHeads[1]!.jws })).toMatchObject({ ok: true, size: 2 });
    const frontier = Frontier.of(log.entries.map((e) => leafHash(Buffer.from(e.jws))));
    const larger = signTreeHead(key, 3, frontier.root(), 1, broker).jws;
    expect(auditLog({ broker, keys, ...log, trustedHead: larger })).toMatchObject({ ok: false, problem: 'truncated', seq: 2, treeSize: 3 });
    const foreign = signTreeHead(key, 2, frontier.root(), 1, 'b2').jws;
    expect(auditLog({ broker, keys, ...log, trustedHead: foreign })).toMatchObject({ ok: false, problem: 'wrong_broker', seq: null });
    const unsigned = signTreeHead(newKey('k1'), 2, frontier.root(), 1, broker).jws;
    expect(auditLog({ broker, keys, ...log, trustedHead: unsigned })).toMatchObject({ ok: false, problem: 'bad_signature', seq: null });
  });

  it('decides freshness by size and root, not time: a head kept before the broker clock stepped back still verifies', () => {
    const log = build([allow, outcomeOf(0)]);
    const frontier = Frontier.of(log.entries.slice(0, 1).map((e) => leafHash(Buffer.from(e.jws))));
    // Kept at size 1 with a time later than every head the broker signed since.
    const keptBeforeStepBack = signTreeHead(key, 1, frontier.root(), 10_000, broker).jws;
    expect(auditLog({ broker, keys, ...log, trustedHead: keptBeforeStepBack })).toMatchObject({ ok: true, size: 2 });
  });
});
