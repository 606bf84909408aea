// The etcd replay ledger against a real three-member cluster. Several ledgers
// with clients of their own stand for several brokers. fast-check's scheduler
// decides when each consume starts and when each transaction's answer reaches
// its broker, so retries after a lost compare interleave in every order; the
// commits themselves race for real in etcd.
import type { Etcd3 } from 'etcd3';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcdCluster, type EtcdCluster } from '../../../harness/targets/local/etcd-cluster.js';
import { IoError } from '../../core/errors.js';
import type { UseClaim } from '../../core/ports/ledger.js';
import { connectEtcd } from './client.js';
import { EtcdLedger, ledgerKey } from './ledger.js';

const PREFIX = '/seb-test';
let dir: string;
let cluster: EtcdCluster;
/** One client per broker, and one for the test's own reads. */
let brokers: Etcd3[];
let observer: Etcd3;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-etcd-ledger-'));
  cluster = await startEtcdCluster(dir);
  const connect = () => connectEtcd({ endpoints: cluster.endpoints, tls: cluster.tls, timeoutMs: 1000 });
  brokers = [connect(), connect(), connect()];
  observer = connect();
});

afterAll(async () => {
  for (const c of [...(brokers ?? []), observer]) c?.close();
  await cluster?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const claim = (jti: string, uses: number, issuer = 'sab.test'): UseClaim => ({ issuer, jti, uses, retainUntilMs: Date.now() + 120_000 });

/** The client as the scheduler sees it: each transaction's answer waits for its turn. */
function scheduled(client: Etcd3, s: fc.Scheduler): Etcd3 {
  const kv = {
    txn: (...args: Parameters<Etcd3['kv']['txn']>) => {
      const answer = client.kv.txn(...args);
      // Handled here too: an error may come back before the scheduler hands it on.
      answer.catch(() => undefined);
      return s.schedule(answer, 'txn answer');
    },
  };
  return Object.assign(Object.create(client) as Etcd3, { kv });
}

/** The count etcd holds for a certificate, by a linearizable read; retried (a read is safe to repeat) while a fault's election runs. */
async function stored(jti: string, issuer = 'sab.test'): Promise<number> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const value = await observer.get(ledgerKey(PREFIX, issuer, jti)).string();
      return value === null ? 0 : (JSON.parse(value) as { used: number }).used;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

let round = 0;
const fresh = (what: string) => `${what}-${round++}`;

describe('EtcdLedger on a real cluster', () => {
  it('grants exactly `uses` consumes, however brokers racing on one certificate interleave', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 2, max: 3 }), async (s, uses, attempts, n) => {
        const jti = fresh('race');
        const ledgers = brokers.slice(0, n).map((c) => new EtcdLedger(scheduled(c, s), { prefix: PREFIX }));
        const results = Promise.all(
          Array.from({ length: attempts }, (_, i) => s.schedule(Promise.resolve(i), 'start').then(() => (ledgers[i % n] as EtcdLedger).consume(claim(jti, uses)))),
        );
        const granted = (await s.waitFor(results)).filter((r) => r === 'consumed').length;
        expect(granted).toBe(Math.min(uses, attempts));
        expect(await stored(jti)).toBe(granted);
      }),
      { numRuns: 30 },
    );
  });

  it('with a member killed mid-run, grants each use at most once: a consume succeeds once or fails as unavailable', async () => {
    const t0 = performance.now();
    let errors = 0;
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 10 }), fc.integer({ min: 0, max: 2 }), async (s, uses, attempts, victim) => {
        const jti = fresh('fault');
        const member = cluster.members[victim]!;
        const ledgers = brokers.map((c) => new EtcdLedger(scheduled(c, s), { prefix: PREFIX }));
        try {
          const kill = s.schedule(Promise.resolve(), 'kill').then(() => member.kill());
          const results = Promise.all(
            Array.from({ length: attempts }, (_, i) =>
              s
                .schedule(Promise.resolve(i), 'start')
                .then(() => (ledgers[i % ledgers.length] as EtcdLedger).consume(claim(jti, uses)))
                .catch((error: unknown) => {
                  expect(error).toBeInstanceOf(IoError);
                  return 'unavailable' as const;
                }),
            ),
          );
          const [outcome] = await s.waitFor(Promise.all([results, kill]));
          const consumed = outcome.filter((r) => r === 'consumed').length;
          const unavailable = outcome.filter((r) => r === 'unavailable').length;
          errors += unavailable;
          const count = await stored(jti);
          // Every grant reported is in etcd; anything more is a commit whose answer was lost, never a second grant.
          expect(count).toBeLessThanOrEqual(uses);
          expect(consumed).toBeLessThanOrEqual(count);
          expect(count - consumed).toBeLessThanOrEqual(unavailable);
          if (outcome.includes('exhausted')) expect(count).toBe(uses);
        } finally {
          await member.restart();
        }
      }),
      { numRuns: 8 },
    );
    console.log(`[timing] ledger under member kills: 8 runs in ${(performance.now() - t0).toFixed(0)} ms, ${errors} consumes reported unavailable`);
  });

  it('keys uses by issuer and jti, hashed, so an issuer with slashes cannot reach another key', async () => {
    const ledger = new EtcdLedger(brokers[0]!, { prefix: PREFIX });
    const jti = fresh('keyed');
    expect(await ledger.consume(claim(jti, 1, 'sab/a'))).toBe('consumed');
    expect(await ledger.consume(claim(jti, 1, 'sab'))).toBe('consumed');
    expect(await ledger.consume(claim(jti, 1, 'sab/a'))).toBe('exhausted');
    expect(ledgerKey(PREFIX, 'sab/a', jti).toString()).toMatch(/^\/seb-test\/ledger\/[A-Za-z0-9_-]{43}$/);
  });

  it('keeps an entry under a lease that outlives its retention, so prune has nothing to do', async () => {
    const ledger = new EtcdLedger(brokers[0]!, { prefix: PREFIX });
    const use = { ...claim(fresh('leased'), 1), retainUntilMs: Date.now() + 90_000 };
    await ledger.consume(use);
    const [kv] = (await observer.kv.range({ key: ledgerKey(PREFIX, use.issuer, use.jti) })).kvs;
    expect(kv?.lease).not.toBe('0');
    const ttl = await observer.leaseClient.leaseTimeToLive({ ID: kv!.lease });
    expect(Number(ttl.TTL) * 1000).toBeGreaterThanOrEqual(use.retainUntilMs - Date.now());
    expect(await ledger.prune()).toBe(0);
  });

  it('reports an unreachable etcd as an error, never as a grant or a replay', async () => {
    const nowhere = connectEtcd({ endpoints: ['https://127.0.0.1:1'], tls: cluster.tls, timeoutMs: 300 });
    try {
      await expect(new EtcdLedger(nowhere, { prefix: PREFIX }).consume(claim(fresh('nowhere'), 1))).rejects.toBeInstanceOf(IoError);
    } finally {
      nowhere.close();
    }
  });
});
