// The replay ledger in the record log's database (SqliteRecordLog#replayLedger):
// single use however consumes and appends interleave, and a use spent before
// a decision record is spent in the file a crash leaves.
import fc from 'fast-check';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { importPrivateJwk, type SigningKey } from '../../core/keys.js';
import { generateSigningKey } from '../../sab/keygen.js';
import { SqliteRecordLog } from './record-log.js';

const claim = (jti: string, uses = 1) => ({ issuer: 'sab', jti, uses, retainUntilMs: 10_000 });
const allow = { jti: 'one', iss: 'sab', sub: 'agent', cdg: 'c', decision: 'allow', reason: null } as const;

let dir: string;
let key: SigningKey;
beforeAll(async () => {
  key = importPrivateJwk((await generateSigningKey('EdDSA', 'broker-1')).privateJwk);
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seb-log-ledger-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = (path: string) => SqliteRecordLog.open(path, { broker: 'b1', key });

describe("the replay ledger in the record log's database", () => {
  it('grants exactly `uses` consumes of one certificate, however they interleave with each other and with appends', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 4 }), async (s, uses, attempts, appends) => {
        const log = open(join(dir, `l${round++}.db`));
        const ledger = log.replayLedger();
        try {
          const consumes = Promise.all(Array.from({ length: attempts }, (_, i) => s.schedule(Promise.resolve(i)).then(() => ledger.consume(claim('one', uses)))));
          const appended = Promise.all(Array.from({ length: appends }, (_, i) => s.schedule(Promise.resolve(i)).then(() => log.appendDecision(allow))));
          await s.waitAll();
          const granted = (await consumes).filter((r) => r === 'consumed').length;
          expect(granted).toBe(Math.min(uses, attempts));
          expect(await appended).toHaveLength(appends);
        } finally {
          await log.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('keys uses by issuer and jti, and is one ledger however often it is asked for', async () => {
    const log = open(join(dir, 'log.db'));
    expect(await log.replayLedger().consume(claim('a'))).toBe('consumed');
    expect(await log.replayLedger().consume({ ...claim('a'), issuer: 'other' })).toBe('consumed');
    expect(await log.replayLedger().consume(claim('a'))).toBe('exhausted');
    await log.close();
  });

  it('leaves a use spent before a decision record spent in the file a crash leaves, and the allow open for reconciliation', async () => {
    const path = join(dir, 'log.db');
    const log = open(path);
    try {
      expect(await log.replayLedger().consume(claim('one'))).toBe('consumed');
      await log.appendDecision(allow);
      // The files as they stand while the broker runs, never closed (a close would checkpoint the WAL).
      const crashed = join(dir, 'crashed.db');
      copyFileSync(path, crashed);
      copyFileSync(`${path}-wal`, `${crashed}-wal`);
      const restarted = open(crashed);
      try {
        expect(await restarted.replayLedger().consume(claim('one'))).toBe('exhausted');
        expect(await restarted.openAllows()).toMatchObject([{ seq: 0, jti: 'one' }]);
      } finally {
        await restarted.close();
      }
    } finally {
      await log.close();
    }
  });

  it('prunes only what outlived its retention', async () => {
    const log = open(join(dir, 'log.db'));
    const ledger = log.replayLedger();
    await ledger.consume({ ...claim('old'), retainUntilMs: 1000 });
    await ledger.consume({ ...claim('new'), retainUntilMs: 5000 });
    expect(await ledger.prune(2000)).toBe(1);
    expect(await ledger.consume({ ...claim('new'), retainUntilMs: 5000 })).toBe('exhausted');
    await log.close();
  });
});
