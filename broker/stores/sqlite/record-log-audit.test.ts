// Every kind of tampering the auditor must catch, done to a real SQLite log
// with better-sqlite3 directly, as someone with write access to the file would.
import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeBase64url, encodeBase64url } from '../../core/base64url.js';
import { TYP_RECORD } from '../../core/crypto-params.js';
import { signCompact } from '../../core/jws.js';
import { importKeySet, importPrivateJwk, type SigningKey } from '../../core/keys.js';
import { auditLog, type AuditResult } from '../../core/records/audit.js';
import { signTreeHead } from '../../core/records/tree-head.js';
import type { DecisionInput } from '../../core/ports/record-log.js';
import { generateSigningKey } from '../../sab/keygen.js';
import { openLogForAudit } from './record-log-reader.js';
import { SqliteRecordLog } from './record-log.js';

const allow: DecisionInput = { jti: 'j1', iss: 'sab', sub: 'agent', cdg: 'c', decision: 'allow', reason: null };
const deny: DecisionInput = { jti: 'j2', iss: 'sab', sub: 'agent', cdg: 'c', decision: 'deny', reason: 'drift' };

let dir: string;
let key: SigningKey;
let pristine: string; // 8 records: seq 0..7, heads of size 0..8
let trustedHead: string; // its newest head, kept by an auditor
let path: string;
let clock = 0;
const now = () => ++clock;

async function appendMix(log: SqliteRecordLog, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    if (i % 3 === 2) await log.appendDecision(deny);
    else {
      const d = await log.appendDecision(allow);
      // Synced, so that the tree head taken after the last append covers it.
      if (++i < count) await (await log.appendOutcome({ decision: { seq: d.seq, hash: d.hash }, jti: 'j1', status: 'succeeded' })).durable;
    }
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-audit-'));
  key = importPrivateJwk((await generateSigningKey('EdDSA', 'broker-1')).privateJwk);
  pristine = join(dir, 'pristine.sqlite');
  const log = SqliteRecordLog.open(pristine, { broker: 'b1', key, now });
  await appendMix(log, 8);
  trustedHead = (await log.treeHead()).jws;
  await log.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let copies = 0;
beforeEach(() => {
  path = join(dir, `copy-${++copies}.sqlite`);
  copyFileSync(pristine, path);
});

function audit(options: { trustedHead?: string; keyList?: SigningKey[]; inFlight?: number } = {}): AuditResult {
  const reader = openLogForAudit(path);
  try {
    const keys = importKeySet({ keys: (options.keyList ?? [key]).map((k) => k.publicJwk) });
    const trusted = options.trustedHead === undefined ? {} : { trustedHead: options.trustedHead };
    return auditLog({ broker: reader.broker, keys, entries: reader.entries(), treeHeads: reader.treeHeads(), ...trusted, inFlight: options.inFlight ?? 0 });
  } finally {
    reader.close();
  }
}

function tamper(sql: string, ...params: unknown[]): void {
  const db = new Database(path);
  db.prepare(sql).run(...params);
  db.close();
}

function row(seq: number, file = path): { jws: string; leaf: Buffer } {
  const db = new Database(file, { readonly: true });
  const r = db.prepare('SELECT jws, leaf FROM entries WHERE seq = ?').get(seq) as { jws: string; leaf: Buffer };
  db.close();
  return r;
}

/** Rewrite the payload of a stored entry, keeping its old signature. */
function editPayload(jws: string, edit: (payload: Record<string, unknown>) => void): string {
  const [h, p, s] = jws.split('.') as [string, string, string];
  const payload = JSON.parse(decodeBase64url(p, 'payload').toString()) as Record<string, unknown>;
  edit(payload);
  return `${h}.${encodeBase64url(Buffer.from(JSON.stringify(payload)))}.${s}`;
}

describe('audit of a SQLite log', () => {
  it('accepts the untouched log, alone and against the head an auditor kept', () => {
    expect(audit()).toMatchObject({ ok: true, size: 8 });
    expect(audit({ trustedHead })).toMatchObject({ ok: true, size: 8 });
  });

  it('modified record: bad_signature at that seq', () => {
    tamper('UPDATE entries SET jws = ? WHERE seq = 5', editPayload(row(5).jws, (p) => (p.reason = null)));
    expect(audit()).toMatchObject({ ok: false, problem: 'bad_signature', seq: 5 });
  });

  it('modified leaf hash column: leaf_mismatch', () => {
    tamper('UPDATE entries SET leaf = ? WHERE seq = 4', Buffer.alloc(32));
    expect(audit()).toMatchObject({ ok: false, problem: 'leaf_mismatch', seq: 4 });
  });

  it('re-signed with a non-canonical payload: not_canonical', () => {
    const spaced = JSON.stringify(JSON.parse(decodeBase64url(row(3).jws.split('.')[1]!, 'p').toString()), null, 2);
    tamper('UPDATE entries SET jws = ? WHERE seq = 3', signCompact(key, TYP_RECORD, spaced));
    expect(audit()).toMatchObject({ ok: false, problem: 'not_canonical', seq: 3 });
  });

  it('deleted record: seq_gap naming the missing seq', () => {
    tamper('DELETE FROM entries WHERE seq = 3');
    expect(audit()).toMatchObject({ ok: false, problem: 'seq_gap', seq: 3 });
  });

  it('deleted record with the rest renumbered: seq_mismatch at the gap', () => {
    const db = new Database(path);
    db.prepare('DELETE FROM entries WHERE seq = 3').run();
    for (let seq = 4; seq < 8; seq++) db.prepare('UPDATE entries SET seq = ? WHERE seq = ?').run(seq - 1, seq);
    db.close();
    expect(audit()).toMatchObject({ ok: false, problem: 'seq_mismatch', seq: 3 });
  });

  it('reordered records: seq_mismatch at the first moved one', () => {
    const [a, b] = [row(2), row(3)];
    const db = new Database(path);
    const set = db.prepare('UPDATE entries SET jws = ?, leaf = ? WHERE seq = ?');
    set.run(b.jws, b.leaf, 2);
    set.run(a.jws, a.leaf, 3);
    db.close();
    expect(audit()).toMatchObject({ ok: false, problem: 'seq_mismatch', seq: 2 });
  });

  it('truncated, heads kept: truncated at the first missing seq', () => {
    tamper('DELETE FROM entries WHERE seq >= 6');
    expect(audit()).toMatchObject({ ok: false, problem: 'truncated', seq: 6, treeSize: 7 });
  });

  it('truncated with its heads: passes alone, caught by the trusted head', () => {
    tamper('DELETE FROM entries WHERE seq >= 6');
    tamper('DELETE FROM tree_heads WHERE size > 6');
    expect(audit()).toMatchObject({ ok: true, size: 6 });
    expect(audit({ trustedHead })).toMatchObject({ ok: false, problem: 'truncated', seq: 6, treeSize: 8 });
  });

  it('newest heads removed, an old head presented as current: tree_head_stale', () => {
    tamper('DELETE FROM tree_heads WHERE size > 5');
    expect(audit()).toMatchObject({ ok: false, problem: 'tree_head_stale', seq: 5, treeSize: 5 });
    tamper('DELETE FROM tree_heads');
    expect(audit()).toMatchObject({ ok: false, problem: 'no_tree_head', seq: 0 });
  });

  it('tree head replaced by one signing another root: tree_head_mismatch', () => {
    tamper('UPDATE tree_heads SET jws = ? WHERE size = 4', signTreeHead(key, 4, Buffer.alloc(32), 4, 'b1').jws);
    expect(audit()).toMatchObject({ ok: false, problem: 'tree_head_mismatch', seq: null, treeSize: 4 });
  });

  it('forked copy: fine alone and against a pre-fork head, inconsistent with a head from the other branch', async () => {
    const fork = join(dir, 'fork.sqlite');
    // Both branches share the first 5 records, then each appends its own 4. The
    // cut takes the writer's Merkle subtrees beyond record 5 with it, as a forker would.
    const db = new Database(path);
    db.prepare('DELETE FROM entries WHERE seq >= 5').run();
    db.prepare('DELETE FROM tree_heads WHERE size > 5').run();
    db.prepare('DELETE FROM subtrees WHERE (idx + 1) << level > 5').run();
    db.close();
    const preFork = openLogForAudit(path).latestTreeHead()!;
    copyFileSync(path, fork);
    for (const file of [path, fork]) {
      const log = SqliteRecordLog.open(file, { broker: 'b1', key, now });
      await appendMix(log, 4);
      await log.close();
    }
    const otherBranch = openLogForAudit(fork);
    const otherHead = otherBranch.latestTreeHead()!;
    otherBranch.close();
    // Each branch ends with an allow still in flight.
    expect(audit({ inFlight: 1 })).toMatchObject({ ok: true, size: 9 });
    expect(audit({ trustedHead: preFork, inFlight: 1 })).toMatchObject({ ok: true, size: 9 });
    expect(audit({ trustedHead: otherHead, inFlight: 1 })).toMatchObject({ ok: false, problem: 'inconsistent_with_trusted_head', seq: null, treeSize: 9 });

    // A record of the other branch spliced in verifies alone but breaks the chain.
    const spliced = row(6, fork);
    tamper('UPDATE entries SET jws = ?, leaf = ? WHERE seq = 6', spliced.jws, spliced.leaf);
    expect(audit()).toMatchObject({ ok: false, problem: 'chain_broken', seq: 6 });
  });

  it('a record from another broker: wrong_broker; a key the auditor does not trust: unknown_key', async () => {
    const other = join(dir, 'other-broker.sqlite');
    const log = SqliteRecordLog.open(other, { broker: 'b2', key, now });
    await log.appendDecision(deny);
    await log.close();
    const foreign = row(0, other);
    tamper('UPDATE entries SET jws = ?, leaf = ? WHERE seq = 0', foreign.jws, foreign.leaf);
    expect(audit()).toMatchObject({ ok: false, problem: 'wrong_broker', seq: 0 });
    const stranger = importPrivateJwk((await generateSigningKey('EdDSA', 'stranger')).privateJwk);
    expect(audit({ keyList: [stranger] })).toMatchObject({ ok: false, problem: 'unknown_key', seq: 0 });
  });

  it('an outcome whose decision was altered to a deny: the alteration is the first bad record', () => {
    tamper('UPDATE entries SET jws = ? WHERE seq = 0', editPayload(row(0).jws, (p) => Object.assign(p, { decision: 'deny', reason: 'drift' })));
    expect(audit()).toMatchObject({ ok: false, problem: 'bad_signature', seq: 0 });
  });
});
