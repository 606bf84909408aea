import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPrivateJwk } from '../core/keys.js';
import { generateSigningKey } from '../sab/keygen.js';
import { SqliteRecordLog } from '../stores/sqlite/record-log.js';
import { runSeb } from '../../harness/fixtures/run-seb.js';

let dir: string;
let log: string;
let jwks: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-audit-cli-'));
  log = join(dir, 'records.sqlite');
  jwks = join(dir, 'jwks.json');
  const { privateJwk, publicJwk } = await generateSigningKey('ES256', 'broker-1');
  writeFileSync(jwks, JSON.stringify({ keys: [publicJwk] }));
  const records = SqliteRecordLog.open(log, { broker: 'b1', key: importPrivateJwk(privateJwk) });
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

describe('bin/seb.js', () => {
  it('runs audit verify from the built CLI', () => {
    expect(existsSync('dist/broker/cli/main.js'), 'run `make build` first: this test runs the compiled CLI').toBe(true);
    const res = spawnSync(process.execPath, ['bin/seb.js', 'audit', 'verify', '--log', log, '--keys', jwks], { encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ ok: true, size: 3 });
  });
});
