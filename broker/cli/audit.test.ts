import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jcsDigest } from '../core/digest.js';
import { importPrivateJwk, type SigningKey } from '../core/keys.js';
import { generateSigningKey } from '../sab/keygen.js';
import { SqliteRecordLog } from '../stores/sqlite/record-log.js';
import { runSeb } from '../../harness/fixtures/run-seb.js';

let dir: string;
let log: string;
let jwks: string;
let brokerKey: SigningKey;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-audit-cli-'));
  log = join(dir, 'records.sqlite');
  jwks = join(dir, 'jwks.json');
  const { privateJwk, publicJwk } = await generateSigningKey('ES256', 'broker-1');
  writeFileSync(jwks, JSON.stringify({ keys: [publicJwk] }));
  brokerKey = importPrivateJwk(privateJwk);
  const records = SqliteRecordLog.open(log, { broker: 'b1', key: brokerKey });
  const d = await records.appendDecision({ jti: 'j1', iss: 'sab', sub: 'agent', cdg: 'c', decision: 'allow', reason: null });
  await records.appendOutcome({ decision: { seq: d.seq, hash: d.hash }, jti: 'j1', status: 'succeeded', detail: 'scaled to 3' });
  await records.appendDecision({ jti: null, iss: null, sub: null, cdg: null, decision: 'deny', reason: 'malformed' });
  await records.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('seb audit', () => {
  it('verify: exit 0 and one JSON line; says so when it falls back to the keys in the log', async () => {
    const stored = await runSeb('audit', 'verify', '--log', log);
    expect(stored.code).toBe(0);
    expect(JSON.parse(stored.out)).toMatchObject({ ok: true, size: 3 });
    expect(stored.err).toMatch(/using the public keys stored in/);
    const pinned = await runSeb('audit', 'verify', '--log', log, '--keys', jwks);
    expect(pinned).toMatchObject({ code: 0, err: '' });
  });

  it("verify --broker/--keys: a log naming b1 but signed with another broker's key is not b1's log", async () => {
    const other = await generateSigningKey('ES256', 'broker-2');
    const otherJwks = join(dir, 'other-jwks.json');
    writeFileSync(otherJwks, JSON.stringify({ keys: [other.publicJwk] }));
    const forgedLog = join(dir, 'forged.sqlite');
    const forged = SqliteRecordLog.open(forgedLog, { broker: 'b1', key: importPrivateJwk(other.privateJwk) });
    await forged.appendDecision({ jti: null, iss: null, sub: null, cdg: null, decision: 'deny', reason: 'malformed' });
    await forged.close();
    const pairs = ['--broker', 'b1', '--keys', jwks, '--broker', 'b2', '--keys', otherJwks];
    const refused = await runSeb('audit', 'verify', '--log', forgedLog, ...pairs);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.out)).toMatchObject({ ok: false, problem: 'unknown_key' });
    expect((await runSeb('audit', 'verify', '--log', log, ...pairs)).code).toBe(0);
    const unlisted = await runSeb('audit', 'verify', '--log', log, '--broker', 'b2', '--keys', otherJwks);
    expect(unlisted.code).toBe(1);
    expect(JSON.parse(unlisted.out)).toMatchObject({ ok: false, problem: 'wrong_broker' });
    expect((await runSeb('audit', 'verify', '--log', log, '--keys', jwks, '--keys', otherJwks)).code).toBe(2);
  });

  it('head, then verify --trusted-head; an edited head file is a usage error', async () => {
    const head = await runSeb('audit', 'head', '--log', log);
    expect(head.code).toBe(0);
    expect(JSON.parse(head.out)).toMatchObject({ size: 3, broker: 'b1' });
    const kept = join(dir, 'head.json');
    writeFileSync(kept, head.out);
    expect((await runSeb('audit', 'verify', '--log', log, '--keys', jwks, '--trusted-head', kept)).code).toBe(0);
    const edited = join(dir, 'edited.json');
    writeFileSync(edited, JSON.stringify({ ...JSON.parse(head.out), size: 2 }));
    const refused = await runSeb('audit', 'verify', '--log', log, '--trusted-head', edited);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/differ from the signed tree head/);
  });

  it('export: one JSON line per record, to stdout or a file', async () => {
    const { code, out } = await runSeb('audit', 'export', '--log', log);
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.seq, l.kind])).toEqual([
      [0, 'decision'],
      [1, 'outcome'],
      [2, 'decision'],
    ]);
    expect(lines[1]).toMatchObject({ decision: { seq: 0, hash: lines[0]!.hash }, detail: 'scaled to 3' });
    const file = join(dir, 'out', 'records.jsonl');
    expect((await runSeb('audit', 'export', '--log', log, '--out', file)).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(out);
  });

  it('verify: exit 1 naming the first bad record; exit 2 for a missing log', async () => {
    const bad = join(dir, 'bad.sqlite');
    writeFileSync(bad, readFileSync(log));
    const db = new Database(bad);
    db.prepare('DELETE FROM entries WHERE seq = 1').run();
    db.close();
    const res = await runSeb('audit', 'verify', '--log', bad, '--keys', jwks);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.out)).toMatchObject({ ok: false, problem: 'seq_gap', seq: 1 });
    expect(res.err).toMatch(/record 1: seq_gap/);
    expect((await runSeb('audit', 'verify', '--log', join(dir, 'nope.sqlite'))).code).toBe(2);
  });
});

/** A copy of the pristine log, edited with SQL as someone with write access to the file would. */
function editedCopy(name: string, ...statements: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, readFileSync(log));
  const db = new Database(file);
  for (const sql of statements) db.exec(sql);
  db.close();
  return file;
}

describe('seb audit: tree heads are chosen by signed size (issue 11 item 5)', () => {
  it('the empty head copied under a large key: verify names it as tampering, head refuses to print it', async () => {
    const file = editedCopy('empty-head-moved.sqlite', 'INSERT INTO tree_heads (size, jws) SELECT 1000000, jws FROM tree_heads WHERE size = 0');
    const res = await runSeb('audit', 'verify', '--log', file, '--keys', jwks);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.out)).toMatchObject({ ok: false, problem: 'tree_head_misplaced', seq: null, treeSize: 0 });
    const head = await runSeb('audit', 'head', '--log', file);
    expect(head.code).toBe(1);
    expect(head.out).toBe('');
    expect(head.err.trimEnd().split('\n')).toHaveLength(1);
    expect(head.err).toMatch(/newest tree head is stored under size 1000000/);
  });

  it('a head replaced by the head of another size: two heads sign one size', async () => {
    const file = editedCopy('head-replaced.sqlite', 'UPDATE tree_heads SET jws = (SELECT jws FROM tree_heads WHERE size = 1) WHERE size = 2');
    const res = await runSeb('audit', 'verify', '--log', file, '--keys', jwks);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.out)).toMatchObject({ ok: false, problem: 'tree_head_misplaced', treeSize: 1 });
    expect(res.err).toMatch(/stored under size 2 but signs size 1/);
  });

  it('a head stored twice for one size, in a table rebuilt without its key', async () => {
    const file = editedCopy(
      'head-twice.sqlite',
      'CREATE TABLE heads_copy (size INTEGER NOT NULL, jws TEXT NOT NULL)',
      'INSERT INTO heads_copy SELECT size, jws FROM tree_heads',
      'INSERT INTO heads_copy SELECT size, jws FROM tree_heads WHERE size = 1',
      'DROP TABLE tree_heads',
      'ALTER TABLE heads_copy RENAME TO tree_heads',
    );
    const res = await runSeb('audit', 'verify', '--log', file, '--keys', jwks);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.out)).toMatchObject({ ok: false, problem: 'tree_head_duplicate', treeSize: 1 });
  });

  it('the broker refuses to resume a log whose newest key is not its record count', async () => {
    const file = editedCopy('resume-moved.sqlite', 'INSERT INTO tree_heads (size, jws) SELECT 1000000, jws FROM tree_heads WHERE size = 0');
    expect(() => SqliteRecordLog.open(file, { broker: 'b1', key: brokerKey })).toThrow(/stored under size 1000000/);
  });
});

describe('seb audit: exactly one outcome per allow (issue 11 item 8)', () => {
  async function logOf(name: string, write: (records: SqliteRecordLog) => Promise<void>): Promise<string> {
    const file = join(dir, name);
    const records = SqliteRecordLog.open(file, { broker: 'b1', key: brokerKey });
    await write(records);
    await records.close();
    return file;
  }
  const allow = { jti: 'j1', iss: 'sab', sub: 'agent', cdg: 'c', decision: 'allow', reason: null } as const;

  it('an allow with two outcomes fails', async () => {
    const file = await logOf('two-outcomes.sqlite', async (records) => {
      const d = await records.appendDecision(allow);
      await records.appendOutcome({ decision: { seq: d.seq, hash: d.hash }, jti: 'j1', status: 'failed' });
      await records.appendOutcome({ decision: { seq: d.seq, hash: d.hash }, jti: 'j1', status: 'succeeded' });
    });
    const res = await runSeb('audit', 'verify', '--log', file, '--keys', jwks);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.out)).toMatchObject({ ok: false, problem: 'duplicate_outcome', seq: 2 });
  });

  it('an allow with no outcome fails, unless it is within the in-flight tail the auditor allows', async () => {
    const file = await logOf('no-outcome.sqlite', async (records) => {
      await records.appendDecision(allow);
      const d = await records.appendDecision({ ...allow, jti: 'j2' });
      await records.appendOutcome({ decision: { seq: d.seq, hash: d.hash }, jti: 'j2', status: 'succeeded' });
      await records.appendDecision({ ...allow, jti: 'j3' });
    });
    const strict = await runSeb('audit', 'verify', '--log', file, '--keys', jwks);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.out)).toMatchObject({ ok: false, problem: 'allow_without_outcome', seq: 0 });
    // Seq 0 is not among the last allow; seq 3 is.
    expect(JSON.parse((await runSeb('audit', 'verify', '--log', file, '--keys', jwks, '--in-flight', '1')).out)).toMatchObject({ problem: 'allow_without_outcome', seq: 0 });
    expect((await runSeb('audit', 'verify', '--log', file, '--keys', jwks, '--in-flight', '3')).code).toBe(0);
    const bad = await runSeb('audit', 'verify', '--log', file, '--in-flight', 'many');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--in-flight: expected a count/);
  });
});

describe('seb audit: intents are signed records (issue 11 item 7)', () => {
  const contract = { platform: 'kubernetes', target: { kind: 'Deployment', namespace: 'apps', name: 'web' }, operation: 'scale', parameters: { replicas: 3 } } as const;
  const cdg = jcsDigest(contract);

  async function logWithIntent(name: string, intentContract: typeof contract | { [k: string]: unknown } = contract): Promise<string> {
    const file = join(dir, name);
    const records = SqliteRecordLog.open(file, { broker: 'b1', key: brokerKey });
    const d = await records.appendDecision({ jti: 'j1', iss: 'sab', sub: 'agent', cdg, decision: 'allow', reason: null });
    await records.appendIntent({ decision: { seq: d.seq, hash: d.hash }, jti: 'j1', contract: intentContract as typeof contract });
    await records.appendOutcome({ decision: { seq: d.seq, hash: d.hash }, jti: 'j1', status: 'succeeded' });
    await records.close();
    return file;
  }

  it('an intact log with an intent verifies; the intent deleted after the fact fails', async () => {
    const file = await logWithIntent('intent.sqlite');
    expect((await runSeb('audit', 'verify', '--log', file, '--keys', jwks)).code).toBe(0);
    const db = new Database(file);
    db.prepare('DELETE FROM entries WHERE seq = 1').run();
    db.close();
    const res = await runSeb('audit', 'verify', '--log', file, '--keys', jwks);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.out)).toMatchObject({ ok: false, problem: 'seq_gap', seq: 1 });
  });

  it('an intent for another contract than its allow signed fails', async () => {
    const file = await logWithIntent('intent-other-contract.sqlite', { ...contract, parameters: { replicas: 30 } });
    const res = await runSeb('audit', 'verify', '--log', file, '--keys', jwks);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.out)).toMatchObject({ ok: false, problem: 'intent_without_decision', seq: 1 });
  });
});

describe('bin/seb.js', () => {
  it('runs audit verify from the built CLI', () => {
    expect(existsSync('dist/broker/cli/main.js'), 'run `make build` first: this test runs the compiled CLI').toBe(true);
    const res = spawnSync(process.execPath, ['bin/seb.js', 'audit', 'verify', '--log', log, '--keys', jwks], { encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ ok: true, size: 3 });
  });
});
