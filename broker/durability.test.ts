// What an allow waits for on disk, with every fsync of a SQLite WAL held by
// the test until it releases (or fails) it: the decision and intent are
// synced before anything runs, the outcome is committed before the answer
// and synced after it, and a consume in the record log's database is made
// durable by the sync of the record that follows it.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { platformDouble } from '../harness/fixtures/platform-double.js';
import { AUDIENCE, ISSUER, issueFor, makeIssuer, NOW_S, requestBytes, type Issuer } from '../harness/sample-certificates.js';
import { assembleBroker } from './config/assemble.js';
import { readSettings } from './config/broker-config.js';
import { importPrivateJwk, type SigningKey } from './core/keys.js';
import type { JsonValue } from './core/strict-json.js';
import { generateSigningKey } from './sab/keygen.js';
import { SqliteRecordLog } from './stores/sqlite/record-log.js';

const disk = vi.hoisted(() => ({ hold: false, held: [] as ((error: Error | null) => void)[] }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  // WalFile.sync's fdatasync, queued while the test holds the disk.
  const fdatasync = (fd: number, done: (error: Error | null) => void) => (disk.hold ? disk.held.push(done) : fs.fdatasync(fd, done));
  return { ...fs, default: { ...fs, fdatasync }, fdatasync };
});

const NOW_MS = NOW_S * 1000 + 1000;
let issuer: Issuer;
let brokerJwk: JsonValue;
let brokerKey: SigningKey;
let dir: string;

beforeAll(async () => {
  issuer = await makeIssuer();
  brokerJwk = (await generateSigningKey('EdDSA', 'broker-1')).privateJwk;
  brokerKey = importPrivateJwk(brokerJwk);
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seb-durability-'));
  disk.hold = false;
  disk.held.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const logPath = () => join(dir, 'log.db');

function assembled(ledger: string) {
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify(issuer.jwks));
  writeFileSync(join(dir, 'broker.jwk.json'), JSON.stringify(brokerJwk));
  const settings = readSettings({ id: 'broker-1', issuers: [ISSUER], audience: AUDIENCE, trustedKeys: 'jwks.json', brokerKey: 'broker.jwk.json', ledger, recordLog: 'log.db' }, dir, 'test config');
  return assembleBroker(settings, [platformDouble()], { clock: () => NOW_MS });
}

/** What the log's committed transactions hold, as another process reads it. */
function committed(table: 'entries' | 'uses'): number {
  const reader = new Database(logPath(), { readonly: true });
  try {
    return reader.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    reader.close();
  }
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setImmediate(r));
}

const release = (error: Error | null = null) => disk.held.shift()?.(error);
function releaseAll(): void {
  disk.hold = false;
  while (disk.held.length > 0) release();
}

describe('an allow on disk', () => {
  it.each([
    ["in the record log's database", 'log.db', 1],
    ['in a file of its own', 'ledger.db', 2],
  ])('with the ledger %s (%s), is answered after %i fsync(s), its outcome committed and synced after the answer', async (_, ledger, syncs) => {
    const running = await assembled(ledger);
    try {
      disk.hold = true;
      let answer: Awaited<ReturnType<typeof running.broker.execute>> | undefined;
      void running.broker.execute(requestBytes(await issueFor(issuer))).then((r) => (answer = r));
      // Release each sync the answer waits for, one at a time.
      let released = 0;
      for (;;) {
        await waitFor(() => disk.held.length > 0 || answer !== undefined);
        if (answer !== undefined) break;
        release();
        released++;
      }
      expect(answer).toMatchObject({ decision: { decision: 'allow' }, outcome: 'succeeded' });
      expect(released).toBe(syncs);
      // The outcome is committed, and its sync still held.
      expect(committed('entries')).toBe(3);
      expect(disk.held).toHaveLength(1);
      expect(running.broker.health()).toEqual({ ok: true });

      // A sync that fails after the answer makes the broker unhealthy, and nothing is written after it.
      release(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
      await waitFor(() => !running.broker.health().ok);
      expect(running.broker.health()).toMatchObject({ ok: false, reason: expect.stringContaining('EIO') });
      disk.hold = false;
      expect(await running.broker.execute(requestBytes(await issueFor(issuer)))).toMatchObject({ decision: { decision: 'deny' } });
      expect(committed('entries')).toBe(3);
    } finally {
      releaseAll();
      await running.close();
    }
  });

  it('closes the record log only once the syncs an answer did not wait for are done', async () => {
    const log = SqliteRecordLog.open(logPath(), { broker: 'broker-1', key: brokerKey, now: () => NOW_MS });
    const d = await log.appendDecision({ jti: 'j1', iss: ISSUER, sub: 's', cdg: 'c', decision: 'allow', reason: null });
    disk.hold = true;
    const outcome = await log.appendOutcome({ decision: { seq: d.seq, hash: d.hash }, jti: 'j1', status: 'succeeded' });
    let closed = false;
    const closing = log.close().then(() => (closed = true));
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    releaseAll();
    await closing;
    await expect(outcome.durable).resolves.toBeUndefined();
  });

  it("closes the record log only once a consume's commit, which started no sync, is synced", async () => {
    const log = SqliteRecordLog.open(logPath(), { broker: 'broker-1', key: brokerKey, now: () => NOW_MS });
    disk.hold = true;
    await log.replayLedger().consume({ issuer: ISSUER, jti: 'j1', uses: 1, retainUntilMs: NOW_MS + 60_000 });
    expect(disk.held).toHaveLength(0);
    let closed = false;
    const closing = log.close().then(() => (closed = true));
    await waitFor(() => disk.held.length === 1);
    expect(closed).toBe(false);
    releaseAll();
    await closing;
  });
});

describe("the replay ledger in the record log's database", () => {
  it('grants a consume at commit without a sync of its own, and the decision record after it once the sync that covers both is done', async () => {
    const log = SqliteRecordLog.open(logPath(), { broker: 'broker-1', key: brokerKey, now: () => NOW_MS });
    try {
      const ledger = log.replayLedger();
      disk.hold = true;
      expect(await ledger.consume({ issuer: ISSUER, jti: 'j1', uses: 1, retainUntilMs: NOW_MS + 60_000 })).toBe('consumed');
      expect(committed('uses')).toBe(1);
      expect(disk.held).toHaveLength(0);
      let decided = false;
      const deciding = log.appendDecision({ jti: 'j1', iss: ISSUER, sub: 's', cdg: 'c', decision: 'allow', reason: null }).then(() => (decided = true));
      // One sync, requested once both are committed: it covers the consume and the decision.
      await waitFor(() => disk.held.length === 1);
      expect([committed('uses'), committed('entries')]).toEqual([1, 1]);
      await new Promise((r) => setImmediate(r));
      expect(decided).toBe(false);
      release();
      await deciding;
      expect(disk.held).toHaveLength(0);
    } finally {
      releaseAll();
      await log.close();
    }
  });
});
