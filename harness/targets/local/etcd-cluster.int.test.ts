// The brokers' etcd cluster against itself: three members up, a write
// survives one member's crash and reaches it after its restart, and without
// a quorum a write is refused rather than accepted by a minority.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEtcd } from '../../../broker/stores/etcd/client.js';
import { startEtcdCluster, type EtcdCluster } from './etcd-cluster.js';

let dir: string;
let cluster: EtcdCluster;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-etcd-cluster-'));
  cluster = await startEtcdCluster(dir);
  console.log(`[timing] etcd cluster of ${cluster.members.length} started: ${JSON.stringify(cluster.startup)}`);
});

afterAll(async () => {
  await cluster?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** A client of one member only, or of the given ones. */
const clientOf = (endpoints: readonly string[], timeoutMs = 2000): Etcd3 => connectEtcd({ endpoints, tls: cluster.tls, timeoutMs });

async function withClient<T>(endpoints: readonly string[], body: (c: Etcd3) => Promise<T>): Promise<T> {
  const client = clientOf(endpoints);
  try {
    return await body(client);
  } finally {
    client.close();
  }
}

async function eventually<T>(attempt: () => Promise<T>, limitMs = 15_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('the local etcd cluster', () => {
  it('starts three members on loopback, each serving the same cluster over mutual TLS', async () => {
    expect(cluster.members).toHaveLength(3);
    expect(cluster.endpoints.every((e) => e.startsWith('https://127.0.0.1:'))).toBe(true);
    await withClient(cluster.endpoints, (c) => c.put('/test/hello').value('world').exec());
    for (const endpoint of cluster.endpoints) {
      // A linearizable read through each member alone: each has a leader and sees the write.
      expect(await withClient([endpoint], (c) => c.get('/test/hello').string())).toBe('world');
    }
    const ids = await Promise.all(cluster.endpoints.map((e) => withClient([e], async (c) => (await c.maintenance.status()).header.cluster_id)));
    expect(new Set(ids).size).toBe(1);
  });

  it('refuses a client without a certificate from its CA', async () => {
    const { Etcd3 } = await import('etcd3');
    const anonymous = new Etcd3({ hosts: [cluster.endpoints[0] as string], defaultCallOptions: () => ({ deadline: Date.now() + 2000 }) });
    try {
      await expect(anonymous.get('/test/hello').string()).rejects.toThrow();
    } finally {
      anonymous.close();
    }
  });

  it('keeps serving with one member killed, and the member catches up after its restart', async () => {
    const [victim, ...rest] = cluster.members;
    await victim!.kill();
    expect(victim!.running).toBe(false);
    // If the victim led, the others elect a leader first; the put is idempotent.
    await eventually(() =>
      withClient(
        rest.map((m) => m.clientUrl),
        (c) => c.put('/test/during-fault').value('written').exec(),
      ),
    );
    await victim!.restart();
    expect(await withClient([victim!.clientUrl], (c) => c.get('/test/during-fault').string())).toBe('written');
  });

  it('rides out a member stopped in order and one paused mid-flight, each brought back', async () => {
    const [stopped, paused, other] = cluster.members;
    await stopped!.stop();
    paused!.pause();
    try {
      // Only the live member is asked: a call to a paused one hangs until its deadline.
      await expect(withClient([other!.clientUrl], (c) => c.put('/test/paused').value('v').exec())).rejects.toThrow();
    } finally {
      paused!.resume();
    }
    // The health check after the fault: a leader again (an election may follow the resume). The put is idempotent.
    await eventually(() => withClient([other!.clientUrl], (c) => c.put('/test/resumed').value('v').exec()));
    await stopped!.restart();
    expect(await withClient([stopped!.clientUrl], (c) => c.get('/test/resumed').string())).toBe('v');
  });

  it('refuses writes without a quorum, and accepts them again once it is back', async () => {
    const [a, b, survivor] = cluster.members;
    await Promise.all([a!.kill(), b!.kill()]);
    try {
      // Once the survivor knows it has no leader, a write cannot sit in a
      // leader's log to be committed when the others return: it is refused.
      await withClient([survivor!.clientUrl], async (c) => {
        while ((await c.maintenance.status()).leader !== '0') await new Promise((r) => setTimeout(r, 100));
      });
      const t0 = performance.now();
      await expect(withClient([survivor!.clientUrl], (c) => c.put('/test/minority').value('must not land').exec())).rejects.toThrow();
      console.log(`[timing] a write to a minority member failed after ${(performance.now() - t0).toFixed(0)} ms`);
    } finally {
      await Promise.all([a!.restart(), b!.restart()]);
    }
    expect(await eventually(() => withClient(cluster.endpoints, (c) => c.get('/test/minority').string()))).toBeNull();
    await eventually(() => withClient(cluster.endpoints, (c) => c.put('/test/after').value('ok').exec()));
    expect(await withClient([survivor!.clientUrl], (c) => c.get('/test/after').string())).toBe('ok');
  });
});
