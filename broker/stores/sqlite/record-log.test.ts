import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeBase64url } from '../../core/base64url.js';
import { ConfigError, IntegrityError, IoError } from '../../core/errors.js';
import { importKeySet, importPrivateJwk, type SigningKey } from '../../core/keys.js';
import { auditLog } from '../../core/records/audit.js';
import { consistencyProof, inclusionProof, verifyConsistency, verifyInclusion } from '../../core/records/merkle.js';
import { generateSigningKey } from '../../sab/keygen.js';
import { openLogForAudit } from './record-log-reader.js';
import { SqliteRecordLog } from './record-log.js';
import { jcsDigest } from '../../core/digest.js';
import { SAMPLE_CONTRACT } from '../../../harness/sample-certificates.js';

const b64 = (s: string) => decodeBase64url(s, 'test');
const newKey = async (kid: string): Promise<SigningKey> => importPrivateJwk((await generateSigningKey('EdDSA', kid)).privateJwk);
const allow = { jti: 'j1', iss: 'sab', sub: 'agent', cdg: 'c', decision: 'allow', reason: null } as const;
const deny = { jti: null, iss: null, sub: null, cdg: null, decision: 'deny', reason: 'malformed' } as const;

let dir: string;
let path: string;
let key: SigningKey;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-log-'));
  path = join(dir, 'records.sqlite');
  key = await newKey('broker-1');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function audit(keyList: SigningKey[] = [key]) {
  const reader = openLogForAudit(path);
  try {
    const keys = importKeySet({ keys: keyList.map((k) => k.publicJwk) });
    // These logs hold allows with no broker to finish them: all may be in flight.
    return auditLog({ broker: reader.broker, keys, entries: reader.entries(), treeHeads: reader.treeHeads(), inFlight: 10 });
  } finally {
    reader.close();
  }
}

describe('SqliteRecordLog', () => {
  it('appends decisions and outcomes, each covered by the tree head written with it', async () => {
    const log = SqliteRecordLog.open(path, { broker: 'b1', key, now: () => 1000 });
    expect((await log.treeHead()).size).toBe(0);
    const d = await log.appendDecision({ ...allow, phases: { verify: 0.5 } });
    const o = await log.appendOutcome({ decision: { seq: d.seq, hash: d.hash }, jti: 'j1', status: 'succeeded' });
    await log.appendDecision(deny);
    expect([d.seq, o.seq]).toEqual([0, 1]);
    const head = await log.treeHead();
    expect(head).toMatchObject({ size: 3, time: 1000, broker: 'b1' });
    await log.close();
    expect(audit()).toEqual({ ok: true, size: 3, root: head.root });
  });

  it('signs one tree head per transaction: appends made together share it, and the newest covers every record', async () => {
    const log = SqliteRecordLog.open(path, { broker: 'b1', key });
    const together = await Promise.all([log.appendDecision(deny), log.appendDecision(deny), log.appendDecision(deny)]);
    const alone = await log.appendDecision(deny);
    const head = await log.treeHead();
    await log.close();
    expect(together.map((a) => a.treeHead.size)).toEqual([3, 3, 3]);
    expect(new Set(together.map((a) => a.treeHead.jws)).size).toBe(1);
    expect(alone.treeHead).toEqual(head);
    const db = new Database(path, { readonly: true });
    const sizes = db.prepare('SELECT size FROM tree_heads ORDER BY size').pluck().all();
    db.close();
    expect(sizes).toEqual([0, 3, 4]);
    expect(audit()).toEqual({ ok: true, size: 4, root: head.root });
  });

  it('resumes the chain and the tree after reopening', async () => {
    let log = SqliteRecordLog.open(path, { broker: 'b1', key });
    for (let i = 0; i < 3; i++) await log.appendDecision(deny);
    const before = await log.treeHead();
    await log.close();
    log = SqliteRecordLog.open(path, { broker: 'b1', key, synchronous: 'NORMAL' });
    expect(await log.treeHead()).toEqual(before);
    for (let i = 0; i < 4; i++) await log.appendDecision(allow);
    const after = await log.treeHead();
    await log.close();
    expect(audit()).toEqual({ ok: true, size: 7, root: after.root });
  });

  it('serves inclusion and consistency proofs that verify against its tree head', async () => {
    const log = SqliteRecordLog.open(path, { broker: 'b1', key });
    const heads = [await log.treeHead()];
    for (let i = 0; i < 11; i++) heads.push((await log.appendDecision(deny)).treeHead);
    const head = await log.treeHead();
    for (let seq = 0; seq < 11; seq++) {
      const p = await log.inclusionProof(seq);
      expect(verifyInclusion(seq, head.size, b64(p.leafHash), p.path.map(b64), b64(head.root))).toBe(true);
    }
    for (const old of heads) {
      const p = await log.consistencyProof(old.size);
      expect(verifyConsistency(old.size, head.size, b64(old.root), b64(head.root), p.path.map(b64))).toBe(true);
    }
    await expect(log.inclusionProof(11)).rejects.toThrow(/no record 11/);
    await expect(log.consistencyProof(12)).rejects.toThrow(/not within/);
    await log.close();
  });

  it('adds a rotated key to the log, and refuses another broker id or a reused kid', async () => {
    let log = SqliteRecordLog.open(path, { broker: 'b1', key });
    await log.appendDecision(deny);
    await log.close();
    const rotated = await newKey('broker-2');
    log = SqliteRecordLog.open(path, { broker: 'b1', key: rotated });
    await log.appendDecision(deny);
    await log.close();
    const reader = openLogForAudit(path);
    expect(reader.keys).toEqual({ keys: [key.publicJwk, rotated.publicJwk] });
    reader.close();
    expect(audit([key, rotated])).toMatchObject({ ok: true, size: 2 });
    expect(() => SqliteRecordLog.open(path, { broker: 'b2', key })).toThrow(ConfigError);
    const impostor = await newKey('broker-1');
    expect(() => SqliteRecordLog.open(path, { broker: 'b1', key: impostor })).toThrow(/other key material/);
  });

  it('refuses to extend a log whose newest tree head does not sign its records', async () => {
    const log = SqliteRecordLog.open(path, { broker: 'b1', key });
    await log.appendDecision(deny);
    await log.close();
    const db = new Database(path);
    db.prepare('UPDATE entries SET leaf = ? WHERE seq = 0').run(Buffer.alloc(32));
    db.close();
    expect(() => SqliteRecordLog.open(path, { broker: 'b1', key })).toThrow(IntegrityError);
  });

  it('fails with IoError when the file cannot be created', () => {
    const notADir = join(dir, 'file');
    writeFileSync(notADir, '');
    expect(() => SqliteRecordLog.open(join(notADir, 'records.sqlite'), { broker: 'b1', key })).toThrow(IoError);
    expect(() => SqliteRecordLog.open(join(dir, 'missing', 'records.sqlite'), { broker: 'b1', key })).toThrow(IoError);
  });

  it('fails an append with IoError when it cannot write, and appends the same seq once it can', async () => {
    const log = SqliteRecordLog.open(path, { broker: 'b1', key, busyTimeoutMs: 0 });
    await log.appendDecision(deny);
    const blocker = new Database(path);
    blocker.exec('BEGIN EXCLUSIVE');
    await expect(log.appendDecision(allow)).rejects.toThrow(IoError);
    blocker.exec('ROLLBACK');
    blocker.close();
    expect((await log.appendDecision(allow)).seq).toBe(1);
    await log.close();
    expect(audit()).toMatchObject({ ok: true, size: 2 });
  });

  it("writes an allow's decision and its intent in one transaction, the intent citing the decision", async () => {
    const statements: string[] = [];
    const log = SqliteRecordLog.open(path, { broker: 'b1', key, trace: (sql) => statements.push(sql) });
    statements.length = 0;
    const { decision, intent } = await log.appendAllow({ ...allow, cdg: jcsDigest(SAMPLE_CONTRACT) }, (ref) => ({ decision: ref, jti: 'j1', contract: SAMPLE_CONTRACT }));
    expect([decision.seq, intent.seq]).toEqual([0, 1]);
    expect(statements.filter((sql) => /^(BEGIN|COMMIT)/.test(sql))).toEqual(['BEGIN IMMEDIATE', 'COMMIT']);
    const [open] = await log.openAllows();
    expect(open).toMatchObject({ seq: 0, hash: decision.hash, intent: { seq: 1, decision: { seq: 0, hash: decision.hash } } });
    await log.close();
    expect(audit()).toMatchObject({ ok: true, size: 2 });
  });

  it('leaves neither the decision nor the intent on disk when their write fails, and appends the same seq once it can', async () => {
    const log = SqliteRecordLog.open(path, { broker: 'b1', key });
    const saboteur = new Database(path);
    // The intent's row is the second of the transaction: failing it must take the decision back too.
    saboteur.exec("CREATE TRIGGER no_intent BEFORE UPDATE ON open_allows BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    await expect(log.appendAllow(allow, (ref) => ({ decision: ref, jti: 'j1', contract: SAMPLE_CONTRACT }))).rejects.toThrow(IoError);
    expect(saboteur.prepare('SELECT count(*) FROM entries').pluck().get()).toBe(0);
    expect((await log.treeHead()).size).toBe(0);
    saboteur.exec('DROP TRIGGER no_intent');
    saboteur.close();
    expect((await log.appendDecision(deny)).seq).toBe(0);
    await log.close();
    expect(audit()).toMatchObject({ ok: true, size: 1 });
  });

  it('refuses a second writer with a one-line error, and lets the next one in once the first closes', async () => {
    const first = SqliteRecordLog.open(path, { broker: 'b1', key });
    expect(() => SqliteRecordLog.open(path, { broker: 'b1', key })).toThrow(/already open for writing by another broker process/);
    await first.appendDecision(deny);
    await first.close();
    const next = SqliteRecordLog.open(path, { broker: 'b1', key });
    await next.appendDecision(deny);
    await next.close();
    expect(audit()).toMatchObject({ ok: true, size: 2 });
  });

  it('serves the RFC 9162 proofs of the reference implementation, for every seq and size of a growing log', async () => {
    const log = SqliteRecordLog.open(path, { broker: 'b1', key });
    const leaves: Buffer[] = [];
    for (let n = 1; n <= 40; n++) {
      const appended = await log.appendDecision(deny);
      leaves.push(b64((await log.inclusionProof(appended.seq)).leafHash));
      for (let seq = 0; seq < n; seq++) expect((await log.inclusionProof(seq)).path.map(b64)).toEqual(inclusionProof(seq, leaves));
      for (let m = 0; m <= n; m++) expect((await log.consistencyProof(m)).path.map(b64)).toEqual(consistencyProof(m, leaves));
    }
    await log.close();
  });

  it('reads O(log n) rows for a proof and a restart: point lookups only, never a scan of the leaves', async () => {
    let log = SqliteRecordLog.open(path, { broker: 'b1', key, synchronous: 'NORMAL' });
    for (let i = 0; i < 1000; i++) await log.appendDecision(deny);
    await log.close();
    const statements: string[] = [];
    log = SqliteRecordLog.open(path, { broker: 'b1', key, trace: (sql) => statements.push(sql) });
    const reads = () => statements.filter((sql) => /^\s*SELECT/i.test(sql));
    const restart = reads();
    // Meta (2), the head (3 lookups), one subtree per set bit of 1000 (6), the last entry (1): 12, where log2(1000) is 10.
    expect(restart.length).toBeGreaterThan(0);
    expect(restart.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(1000)));
    statements.length = 0;
    const inclusion = await log.inclusionProof(377);
    expect(reads().length).toBeLessThanOrEqual(inclusion.path.length + 1);
    statements.length = 0;
    const consistency = await log.consistencyProof(999);
    expect(reads().length).toBeLessThanOrEqual(consistency.path.length);
    // Each read names one row by its key; none ranges over entries.
    for (const sql of [...restart, ...reads()]) expect(sql).not.toMatch(/seq\s*<|ORDER BY seq(?! DESC LIMIT 1)/);
    await log.close();
  });

  it('upgrades a format 1 log (no subtrees, no open-allow index) once, then serves proofs from it', async () => {
    let log = SqliteRecordLog.open(path, { broker: 'b1', key });
    const d = await log.appendDecision(allow);
    for (let i = 0; i < 6; i++) await log.appendDecision(deny);
    await log.close();
    const db = new Database(path);
    db.exec('DROP TABLE subtrees; DROP TABLE open_allows; PRAGMA user_version = 1');
    db.close();
    log = SqliteRecordLog.open(path, { broker: 'b1', key });
    const head = await log.treeHead();
    const p = await log.inclusionProof(3);
    expect(verifyInclusion(3, head.size, b64(p.leafHash), p.path.map(b64), b64(head.root))).toBe(true);
    expect((await log.openAllows()).map((a) => a.seq)).toEqual([d.seq]);
    await log.close();
    expect(audit()).toMatchObject({ ok: true, size: 7 });
  });
});
