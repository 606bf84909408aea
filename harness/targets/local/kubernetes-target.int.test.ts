// The local Kubernetes target against itself: it starts on loopback only, and
// the platform refuses every identity but the broker's executors, even when
// RBAC is wrong. One target per file, started once.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectOf, KubeClient } from '../../../broker/platforms/kubernetes/client.js';
import { planMutation, TARGET_RESOURCES, writeRequest } from '../../../broker/platforms/kubernetes/operations.js';
import { changeOutOfBand, clientFor, createObject, MUTATION_KINDS, removeObject, targetObject, type TargetObject } from '../../workload/kinds/kubernetes-objects.js';
import { POLICY_NAME } from './kubernetes-bootstrap.js';
import { startLocalKubernetes, type LocalKubernetes } from './kubernetes-target.js';

let dir: string;
let k8s: LocalKubernetes;
let admin: KubeClient;
let agent: KubeClient;
let broker: KubeClient;
let ns: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-k8s-target-'));
  const t0 = performance.now();
  k8s = await startLocalKubernetes(dir);
  console.log(`[timing] local Kubernetes target started in ${(performance.now() - t0).toFixed(0)} ms (cold, binaries cached): ${JSON.stringify(k8s.startup)}`);
  admin = clientFor(k8s.info.kubeconfigs.admin);
  agent = clientFor(k8s.info.kubeconfigs.agent);
  broker = clientFor(k8s.info.kubeconfigs.broker);
  ns = k8s.info.protectedNamespaces[0] as string;
});

afterAll(async () => {
  for (const c of [admin, agent, broker]) c?.close();
  await k8s?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** Creates one object of each kind, runs `body`, and deletes them whatever happens. */
async function withObjects(body: (objects: readonly TargetObject[]) => Promise<void>): Promise<void> {
  const objects = MUTATION_KINDS.map((kind) => targetObject(kind, ns));
  try {
    await Promise.all(objects.map((o) => createObject(admin, o)));
    await body(objects);
  } finally {
    await Promise.all(objects.map((o) => removeObject(admin, o)));
  }
}

/** The adapter's own write for `o`, conditioned on the current version, sent as `who`. */
async function mutateAs(who: KubeClient, o: TargetObject) {
  const plan = planMutation(o.contract, k8s.info.protectedNamespaces);
  const version = objectOf(objectOf((await admin.request('GET', plan.objectPath)).body).metadata).resourceVersion as string;
  const write = writeRequest(plan, version);
  return who.request(write.method, write.path, { body: write.body, contentType: write.contentType });
}

async function allowed(who: KubeClient, attributes: Record<string, string>): Promise<boolean> {
  const r = await who.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attributes } },
  });
  return objectOf(objectOf(r.body).status).allowed === true;
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('local Kubernetes target', () => {
  it('listens on 127.0.0.1 only', () => {
    const pids = new Set([k8s.processes.etcd.pid, k8s.processes.apiserver.pid].map(String));
    const sockets = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => [...line.matchAll(/pid=(\d+)/g)].some((m) => pids.has(m[1] as string)));
    expect(sockets.length).toBeGreaterThanOrEqual(3); // etcd client and peer, apiserver
    for (const line of sockets) expect(line.split(/\s+/)[3]).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('etcd refuses a client without a certificate from the target CA', async () => {
    const anonymous = KubeClient.connect({ server: k8s.etcdUrl, ca: readFileSync(join(dir, 'pki', 'ca.crt')) }, undefined, 2000);
    try {
      await expect(anonymous.request('GET', '/health')).rejects.toThrow();
    } finally {
      anonymous.close();
    }
  });

  it('refuses anonymous requests to the API server', async () => {
    const anonymous = KubeClient.connect({ server: k8s.info.server, ca: readFileSync(join(dir, 'pki', 'ca.crt')) }, undefined, 2000);
    try {
      expect((await anonymous.request('GET', `/api/v1/namespaces/${ns}/configmaps`)).status).toBe(401);
    } finally {
      anonymous.close();
    }
  });

  it('lets the agent read but RBAC refuses each mutation kind (403)', async () => {
    await withObjects(async (objects) => {
      for (const o of objects) {
        expect((await agent.request('GET', o.path)).status).toBe(200);
        const r = await mutateAs(agent, o);
        expect(r.status).toBe(403);
        expect(objectOf(r.body).message).toMatch(/User "seb-agent" cannot patch resource/);
      }
    });
  });

  it('refuses the broker its own direct writes, which RBAC lets through (admission policy)', async () => {
    await withObjects(async (objects) => {
      for (const o of objects) {
        const r = await mutateAs(broker, o);
        expect(r.status).toBe(403);
        expect(objectOf(r.body).message).toContain(POLICY_NAME);
      }
    });
  });

  it('refuses an agent bound to cluster-admin (admission policy), including deletes and out-of-band patches', async () => {
    const binding = `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/seb-test-agent-admin`;
    await withObjects(async (objects) => {
      try {
        const created = await admin.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
          body: {
            metadata: { name: 'seb-test-agent-admin' },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
            subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'seb-agent' }],
          },
        });
        expect(created.status).toBe(201);
        await eventually(() => allowed(agent, { namespace: ns, verb: 'delete', group: '', resource: 'configmaps' }));
        for (const o of objects) {
          for (const r of [
            await mutateAs(agent, o),
            await agent.request('PATCH', o.path, { body: o.outOfBand, contentType: 'application/merge-patch+json' }),
            await agent.request('DELETE', o.path),
          ]) {
            expect(r.status).toBe(403);
            expect(objectOf(r.body).message).toContain(POLICY_NAME);
          }
        }
        // Not the namespace itself either.
        expect(objectOf((await agent.request('DELETE', `/api/v1/namespaces/${ns}`)).body).message).toContain(POLICY_NAME);
      } finally {
        await admin.request('DELETE', binding);
      }
    });
  });

  it('lets the break-glass admin change protected objects', async () => {
    await withObjects(async (objects) => {
      for (const o of objects) await changeOutOfBand(admin, o);
    });
  });

  it('lets the broker list and watch the target kinds of protected namespaces (its watch cache), and no other namespace or kind', async () => {
    for (const r of TARGET_RESOURCES) {
      for (const verb of ['get', 'list', 'watch']) {
        expect(await allowed(broker, { namespace: ns, verb, group: r.apiGroup, resource: r.resource }), `${verb} ${r.resource}`).toBe(true);
        expect(await allowed(broker, { namespace: 'default', verb, group: r.apiGroup, resource: r.resource }), `${verb} ${r.resource} in default`).toBe(false);
      }
    }
    expect(await allowed(broker, { namespace: ns, verb: 'list', group: '', resource: 'secrets' })).toBe(false);
    // What the watch cache sends: a watch of a collection, which the server answers as a stream.
    const watched = await broker.stream(`/api/v1/namespaces/${ns}/configmaps?watch=1&timeoutSeconds=1`, { onLine: () => undefined, deadlineMs: 10_000 });
    expect(watched).toBeUndefined();
  });

  it('lets the broker bind executor ServiceAccounts only', async () => {
    const roles = `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`;
    const bindings = `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`;
    const role = { metadata: { name: 'seb-test-grant' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['patch'], resourceNames: ['x'] }] };
    const binding = (subject: Record<string, string>) => ({
      metadata: { name: 'seb-test-grant' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'seb-test-grant' },
      subjects: [subject],
    });
    try {
      expect((await broker.request('POST', roles, { body: role })).status).toBe(201);
      const toAgent = await broker.request('POST', bindings, { body: binding({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'seb-agent' }) });
      expect(toAgent.status).toBe(403);
      expect(objectOf(toAgent.body).message).toContain('the broker may bind only executor ServiceAccounts');
      const toExecutor = await broker.request('POST', bindings, { body: binding({ kind: 'ServiceAccount', name: 'any', namespace: k8s.info.executorNamespace }) });
      expect(toExecutor.status).toBe(201);
      // A Role with a rule the broker does not hold is an escalation the API server refuses.
      const wider = await broker.request('POST', roles, { body: { metadata: { name: 'seb-test-wider' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] } });
      expect(wider.status).toBe(403);
    } finally {
      await broker.request('DELETE', `${bindings}/seb-test-grant`);
      await broker.request('DELETE', `${roles}/seb-test-grant`);
    }
  });

  it('on a failed start, stops what it started and names the logs', async () => {
    const failing = mkdtempSync(join(tmpdir(), 'seb-k8s-failing-'));
    try {
      // An invalid namespace name fails in bootstrap, after etcd and the API server are up.
      const error = await startLocalKubernetes(failing, { protectedNamespaces: ['Not_A_Namespace'] }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toContain(join(failing, 'kube-apiserver.log'));
      expect(existsSync(join(failing, 'kube-apiserver.log'))).toBe(true);
      const running = readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(failing);
          } catch {
            return false;
          }
        });
      expect(running).toEqual([]);
    } finally {
      rmSync(failing, { recursive: true, force: true });
    }
  });
});
