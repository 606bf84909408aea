// The revocation feed on a real three-member cluster: the SAB publishes,
// three brokers' sources (one client each) watch. Measures how long each
// takes to reflect a change, shows the views go stale within the bound once
// etcd loses its quorum, and drives an assembled broker (etcd settings) from
// allow to revoked, policy_epoch_mismatch and revocation_stale.
import type { Etcd3 } from 'etcd3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, issueFor, makeIssuer, NOW_S, requestBytes, type Issuer } from '../../../harness/sample-certificates.js';
import { platformDouble } from '../../../harness/fixtures/platform-double.js';
import { startEtcdCluster, type EtcdCluster } from '../../../harness/targets/local/etcd-cluster.js';
import { assembleBroker, type AssembledBroker } from '../../config/assemble.js';
import { readSettings } from '../../config/broker-config.js';
import { InvalidInputError } from '../../core/errors.js';
import type { RevocationFeedView } from '../../core/ports/revocation.js';
import { RevocationPublisher } from '../../sab/revocations.js';
import { generateSigningKey } from '../../sab/keygen.js';
import { connectEtcd, openConnections } from './client.js';
import { revocationKeys } from './keys.js';
import { EtcdRevocationSource } from './revocation.js';

const PREFIX = '/seb-test';
const MAX_AGE_MS = 2000;
const PROBE_MS = MAX_AGE_MS / 4;
let dir: string;
let cluster: EtcdCluster;
let clients: Etcd3[];
let publisher: RevocationPublisher;
let sources: EtcdRevocationSource[];
let issuer: Issuer;
let assembled: AssembledBroker;
// The certificates are dated NOW_S; the broker's clock runs from there at the real pace, so views age.
const started = Date.now();
const clock = () => NOW_S * 1000 + 1000 + (Date.now() - started);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-etcd-revocation-'));
  cluster = await startEtcdCluster(dir);
  const connect = () => connectEtcd({ endpoints: cluster.endpoints, tls: cluster.tls, timeoutMs: 1000 });
  clients = [connect(), connect(), connect(), connect()];
  publisher = new RevocationPublisher(clients[0]!, { prefix: PREFIX });
  sources = clients.slice(1).map((c) => EtcdRevocationSource.start(c, { prefix: PREFIX, maxAgeMs: MAX_AGE_MS }));

  issuer = await makeIssuer();
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify(issuer.jwks));
  writeFileSync(join(dir, 'broker.jwk.json'), JSON.stringify((await generateSigningKey('EdDSA', 'broker-1')).privateJwk));
  const settings = readSettings(
    {
      id: 'broker-1',
      issuers: [ISSUER],
      audience: AUDIENCE,
      trustedKeys: 'jwks.json',
      brokerKey: 'broker.jwk.json',
      recordLog: 'log.db',
      etcd: { endpoints: cluster.endpoints, ...cluster.tls, prefix: PREFIX },
      revocation: { maxAgeMs: MAX_AGE_MS },
    },
    dir,
    'test config',
  );
  assembled = await assembleBroker(settings, [platformDouble()], { clock });
  await Promise.all(sources.map((s) => s.whenCurrent(10_000)));
});

afterAll(async () => {
  await assembled?.close();
  await Promise.all((sources ?? []).map((s) => s.close()));
  for (const c of clients ?? []) c.close();
  await cluster?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const fresh = (view: RevocationFeedView) => Date.now() - view.asOfMs <= view.maxAgeMs;

/** Milliseconds from t0 until `holds` is true of the source's view, polled every turn of the event loop. */
async function until(source: EtcdRevocationSource, holds: (v: RevocationFeedView) => boolean, t0: number, limitMs = 10_000): Promise<number> {
  while (!holds(source.view())) {
    if (performance.now() - t0 > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return performance.now() - t0;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

describe('the etcd revocation feed', () => {
  it('reaches every broker well within the bound: revocations, a raised floor, a new policy epoch', async () => {
    const times: number[] = [];
    const measure = async (publish: () => Promise<unknown>, holds: (v: RevocationFeedView) => boolean) => {
      const t0 = performance.now();
      const all = Promise.all(sources.map((s) => until(s, holds, t0)));
      await publish();
      times.push(...(await all));
    };
    for (let i = 0; i < 20; i++) {
      const jti = `revoked-${i}`;
      await measure(() => publisher.revoke(jti), (v) => v.revoked.has(jti));
    }
    for (let floor = 1; floor <= 5; floor++) await measure(() => publisher.raiseFloor(floor), (v) => v.floor === floor);
    for (let epoch = 1; epoch <= 5; epoch++) await measure(() => publisher.setPolicyEpoch(epoch), (v) => v.policyEpoch === epoch);
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      `[timing] revocation propagation to ${sources.length} brokers (publish call to view, fsync on): n=${sorted.length} p50=${percentile(sorted, 50).toFixed(1)} ms p99=${percentile(sorted, 99).toFixed(1)} ms max=${percentile(sorted, 100).toFixed(1)} ms`,
    );
    expect(percentile(sorted, 100)).toBeLessThan(MAX_AGE_MS);
    expect(sources.every((s) => fresh(s.view()))).toBe(true);
  });

  it('revokes a batch in one transaction: every broker sees all of it at one revision, none of it before', async () => {
    const jtis = Array.from({ length: 200 }, (_, i) => `batch-${i}`);
    const t0 = performance.now();
    const seen = Promise.all(sources.map((s) => until(s, (v) => jtis.some((j) => v.revoked.has(j)), t0).then(() => s.view())));
    const published = await publisher.revokeAll(jtis);
    // 200 puts go out in two transactions (etcd allows 128 operations in one): the first 128 appear together.
    expect(published.changed).toBe(true);
    for (const view of await seen) expect(jtis.slice(0, 128).every((j) => view.revoked.has(j))).toBe(true);
    await Promise.all(sources.map((s) => until(s, (v) => jtis.every((j) => v.revoked.has(j)), t0)));
    await expect(publisher.revokeAll(['ok', 'has/slash'])).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('publishes floor and epoch only upward, refuses a bad id, and lets a revocation expire with its certificate', async () => {
    await expect(publisher.raiseFloor(2)).rejects.toBeInstanceOf(InvalidInputError);
    expect(await publisher.raiseFloor(5)).toMatchObject({ changed: false });
    await expect(publisher.setPolicyEpoch(-1)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(publisher.revoke('has/slash')).rejects.toBeInstanceOf(InvalidInputError);
    await publisher.revoke('short-lived', { untilMs: Date.now() + 30_000 });
    const [kv] = (await clients[0]!.kv.range({ key: revocationKeys(PREFIX).jti('short-lived') })).kvs;
    expect(kv?.lease).not.toBe('0');
  });

  it('raises in one round trip on what it last saw; a publisher whose view is stale reads again in the same call, never lowers nor skips', async () => {
    // Publishers of their own prefix, so the floor and epoch the other tests rely on stay where they are.
    const prefix = `${PREFIX}-raise`;
    let calls = 0;
    const kv = clients[0]!.kv;
    const countedKv = new Proxy(kv, {
      get: (target, name) => {
        const value: unknown = Reflect.get(target, name);
        return typeof value === 'function' ? (...args: unknown[]) => (calls++, (value as (...a: unknown[]) => unknown).apply(target, args)) : value;
      },
    });
    const counted = new RevocationPublisher({ kv: countedKv } as unknown as Etcd3, { prefix });
    const other = new RevocationPublisher(clients[0]!, { prefix });

    expect(await counted.raiseFloor(2)).toMatchObject({ changed: true });
    expect(calls).toBe(1);
    expect(await counted.raiseFloor(3)).toMatchObject({ changed: true });
    expect(calls).toBe(2);
    // The other publisher knew nothing: its first raise meets floor 3, reads it back and decides on it.
    await expect(other.raiseFloor(1)).rejects.toBeInstanceOf(InvalidInputError);
    expect(await other.raiseFloor(5)).toMatchObject({ changed: true });
    // Now `counted` is stale (it saw 3): 4 is refused once it reads 5, 5 is a no-op, 6 is written; each read costs one more call, no more.
    calls = 0;
    await expect(counted.raiseFloor(4)).rejects.toBeInstanceOf(InvalidInputError);
    expect(calls).toBe(1);
    expect(await counted.raiseFloor(5)).toMatchObject({ changed: false });
    expect(await counted.raiseFloor(6)).toMatchObject({ changed: true });
    expect(calls).toBe(3);
    const [floor] = (await kv.range({ key: revocationKeys(prefix).floor })).kvs;
    expect(floor?.value.toString()).toBe('6');

    // refresh() reads both counts in one call, after which a raise is one call again.
    await other.setPolicyEpoch(7);
    await counted.refresh();
    calls = 0;
    await expect(counted.setPolicyEpoch(6)).rejects.toBeInstanceOf(InvalidInputError);
    expect(calls).toBe(0);
    expect(await counted.setPolicyEpoch(8)).toMatchObject({ changed: true });
    expect(calls).toBe(1);
  });

  it('opens a fresh client\'s connection to every member up front, and the client works as before', async () => {
    const fresh = connectEtcd({ endpoints: cluster.endpoints, tls: cluster.tls, timeoutMs: 1000 });
    // grpc-js connectivity per member (READY is 2), read without asking to connect: what a lazy client would not have.
    const states = () =>
      (fresh as unknown as { pool: { hosts: { getServiceClient(n: 'KV'): { getChannel(): { getConnectivityState(connect: boolean): number } } }[] } }).pool.hosts.map((h) =>
        h.getServiceClient('KV').getChannel().getConnectivityState(false),
      );
    try {
      expect(states().filter((s) => s === 2)).toHaveLength(0);
      expect(await openConnections(fresh, 10_000)).toBe(cluster.endpoints.length);
      expect(states()).toEqual(cluster.endpoints.map(() => 2));
      expect((await fresh.kv.range({ key: revocationKeys(PREFIX).floor })).kvs).toHaveLength(1);
    } finally {
      fresh.close();
    }
  });

  it('drives an assembled broker: allow, then revoked, policy_epoch_mismatch, and a replay denied through the etcd ledger', async () => {
    const source = assembled.broker;
    // Current epoch is 5 and floor 5 after the test above.
    const deadline = Date.now() + 5000;
    const ok = requestBytes(await issueFor(issuer, { policyEpoch: 5, revocationEpoch: 5 }));
    while (source.verify(ok).decision !== 'allow' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(source.verify(ok)).toMatchObject({ decision: 'allow' });
    expect(source.verify(requestBytes(await issueFor(issuer, { policyEpoch: 4, revocationEpoch: 5 })))).toMatchObject({ reason: 'policy_epoch_mismatch' });
    expect(source.verify(requestBytes(await issueFor(issuer, { policyEpoch: 5, revocationEpoch: 4 })))).toMatchObject({ reason: 'revoked' });

    expect(await source.execute(ok)).toMatchObject({ decision: { decision: 'allow' }, outcome: 'succeeded' });
    expect((await source.execute(ok)).decision.reason).toBe('replayed');

    await publisher.revoke('revoked-by-id');
    const byId = requestBytes(await issueFor(issuer, { policyEpoch: 5, revocationEpoch: 5, jti: 'revoked-by-id' }));
    while (source.verify(byId).reason !== 'revoked' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(source.verify(byId)).toMatchObject({ reason: 'revoked' });
  });

  it('goes stale within the bound once etcd loses its quorum, keeps what it knew, and is current again once the quorum is back', async () => {
    const [a, b] = cluster.members;
    const cert = requestBytes(await issueFor(issuer, { policyEpoch: 5, revocationEpoch: 5 }));
    expect(assembled.broker.verify(cert)).toMatchObject({ decision: 'allow' });
    const t0 = performance.now();
    await Promise.all([a!.kill(), b!.kill()]);
    let staleAfter: number[];
    try {
      staleAfter = await Promise.all(sources.map((s) => until(s, (v) => !fresh(v), t0)));
      // The view was confirmed by a probe sent at most one interval (plus its round trip) before the kill.
      for (const ms of staleAfter) {
        expect(ms).toBeLessThanOrEqual(MAX_AGE_MS + 100);
        expect(ms).toBeGreaterThanOrEqual(MAX_AGE_MS - PROBE_MS - 200);
      }
      // The broker's own source probes on its own schedule: it goes stale within the same bound.
      while (assembled.broker.verify(cert).reason !== 'revocation_stale' && performance.now() - t0 < MAX_AGE_MS + 100) await new Promise((r) => setTimeout(r, 5));
      expect(assembled.broker.verify(cert)).toMatchObject({ reason: 'revocation_stale' });
      // What was revoked stays revoked: a stale view denies, it never forgets.
      expect(sources.every((s) => s.view().revoked.has('revoked-0'))).toBe(true);
    } finally {
      await Promise.all([a!.restart(), b!.restart()]);
    }
    const t1 = performance.now();
    const recovered = await Promise.all(sources.map((s) => until(s, fresh, t1)));
    const back = Date.now() + 5000;
    while (assembled.broker.verify(cert).decision !== 'allow' && Date.now() < back) await new Promise((r) => setTimeout(r, 20));
    console.log(
      `[timing] quorum lost: views stale after ${staleAfter.map((ms) => ms.toFixed(0)).join(', ')} ms (bound ${MAX_AGE_MS} ms); current again ${recovered.map((ms) => ms.toFixed(0)).join(', ')} ms after the members were back`,
    );
    expect(assembled.broker.verify(cert)).toMatchObject({ decision: 'allow' });
  });
});
