// The Kubernetes adapter against the real local target, in each executor
// mode: plan → readLiveState → mint → invoke → retire, what the minted
// identity can and cannot do, drift, the resourceVersion precondition, the
// token's end when its bound Secret is deleted, what an impersonating
// broker can and cannot be, and the broker's watch cache (reads answered
// without a request, changes followed, stale versions refused). Every test makes its own objects and
// its own adapter and removes what it made.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AUDIENCE, ISSUER, SUBJECT } from '../../../harness/sample-certificates.js';
import { changeOutOfBand, clientFor, createObject, MUTATION_KINDS, removeObject, targetObject, type TargetObject } from '../../../harness/workload/kinds/kubernetes-objects.js';
import { startLocalKubernetes, type LocalKubernetes } from '../../../harness/targets/local/kubernetes-target.js';
import { buildClaims } from '../../sab/issue.js';
import { jcsDigest } from '../../core/digest.js';
import { checkDrift } from '../../core/predicates/drift.js';
import type { ScopedIdentity } from '../../core/ports/platform.js';
import type { JsonObject } from '../../core/strict-json.js';
import { KubernetesAdapter } from './adapter.js';
import { KubeClient, objectOf } from './client.js';
import { loadKubeconfig } from './kubeconfig.js';
import { ExecutorHandle, IMPERSONATION_EXTRA, type ExecutorMode } from './executor.js';
import { paths, selfAccessReview } from './executor-objects.js';
import { writeRequest } from './operations.js';

let dir: string;
let k8s: LocalKubernetes;
let admin: KubeClient;
const open: { adapters: KubernetesAdapter[]; objects: TargetObject[] } = { adapters: [], objects: [] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-k8s-adapter-'));
  k8s = await startLocalKubernetes(dir);
  admin = clientFor(k8s.info.kubeconfigs.admin);
});

afterEach(async () => {
  await Promise.all(open.objects.splice(0).map((o) => removeObject(admin, o)));
  for (const a of open.adapters.splice(0)) a.close();
  // Pooled executors outlive executions by design; a test's own pool goes with the test.
  const selector = 'labelSelector=app.kubernetes.io%2Fmanaged-by%3Dseb-broker';
  for (const ns of k8s.info.protectedNamespaces) {
    for (const kind of ['rolebindings', 'roles']) await admin.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/${kind}?${selector}`);
  }
  for (const kind of ['serviceaccounts', 'secrets']) await admin.request('DELETE', `/api/v1/namespaces/${k8s.info.executorNamespace}/${kind}?${selector}`);
});

afterAll(async () => {
  admin?.close();
  await k8s?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function adapter(mode: ExecutorMode): KubernetesAdapter {
  const a = KubernetesAdapter.fromKubeconfig(k8s.info.kubeconfigs.broker, {
    protectedNamespaces: k8s.info.protectedNamespaces,
    executorNamespace: k8s.info.executorNamespace,
    audience: k8s.info.executorAudience,
    mode,
  });
  open.adapters.push(a);
  return a;
}

async function object(kind: TargetObject['kind']): Promise<TargetObject> {
  const o = targetObject(kind, k8s.info.protectedNamespaces[0] as string);
  open.objects.push(o);
  await createObject(admin, o);
  return o;
}

function claimsFor(o: TargetObject) {
  return buildClaims({ issuer: ISSUER, audience: AUDIENCE, subject: SUBJECT, contract: o.contract, nowS: Math.floor(Date.now() / 1000) });
}

/** Lets the cache's watch deliver what it has: a poll's pause, not a wait for a result. */
const pause = () => new Promise((r) => setTimeout(r, 5));

/** Polls `check` until it holds; fails after 10 s. */
async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached within 10 s');
    await pause();
  }
}

function tokenClient(identity: ScopedIdentity): KubeClient {
  return (identity.handle as ExecutorHandle).client;
}

async function read(path: string): Promise<JsonObject> {
  return objectOf((await admin.request('GET', path)).body);
}

/** What each contract of the fixture sets, read back as admin. */
async function applied(o: TargetObject): Promise<unknown> {
  const live = await read(o.path);
  return o.kind === 'scale' ? objectOf(live.spec).replicas : o.kind === 'set-data' ? live.data : objectOf(live.spec).ingress;
}

function expected(o: TargetObject): unknown {
  const p = o.contract.parameters;
  return o.kind === 'scale' ? p.replicas : o.kind === 'set-data' ? p.data : p.ingress;
}

async function managedObjects(namespace: string, kinds: readonly string[]): Promise<number> {
  let n = 0;
  for (const kind of kinds) {
    const base = kind === 'roles' || kind === 'rolebindings' ? '/apis/rbac.authorization.k8s.io/v1' : '/api/v1';
    n += ((await read(`${base}/namespaces/${namespace}/${kind}?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dseb-broker`)).items as unknown[]).length;
  }
  return n;
}

describe.each<ExecutorMode>(['ephemeral', 'pooled', 'impersonation'])('KubernetesAdapter (%s executors)', (mode) => {
  it('executes a certified mutation of each kind: plan, live state, mint, invoke, retire', async () => {
    const a = adapter(mode);
    for (const kind of MUTATION_KINDS) {
      const o = await object(kind);
      const plan = a.plan(o.contract);
      const certified = jcsDigest((await a.readLiveState(plan)).state); // what the SAB saw
      const live = await a.readLiveState(plan);
      expect(checkDrift({ digest: certified }, live)).toBeNull();
      const identity = await a.mint(plan, claimsFor(o));
      expect(identity.principal).toMatch(new RegExp(`^system:serviceaccount:${k8s.info.executorNamespace}:seb-`));
      expect(identity.expiresAt - Date.now()).toBeLessThanOrEqual(600_000);
      if (mode === 'impersonation') expect((identity.handle as ExecutorHandle).objects).toBeUndefined();
      try {
        expect(await a.invoke(plan, identity, live)).toMatchObject({ status: 'succeeded' });
      } finally {
        await a.retire(identity);
      }
      expect(await applied(o)).toEqual(expected(o));
    }
    // Ephemeral executors leave nothing; pooled ones keep their grant, never a binding Secret.
    const ns = k8s.info.protectedNamespaces[0] as string;
    expect(await managedObjects(k8s.info.executorNamespace, ['secrets'])).toBe(0);
    expect(await managedObjects(ns, ['roles', 'rolebindings'])).toBe(mode === 'ephemeral' ? 0 : 2 * MUTATION_KINDS.length);
    expect(await managedObjects(k8s.info.executorNamespace, ['serviceaccounts'])).toBe(mode === 'ephemeral' ? 0 : MUTATION_KINDS.length);
  });

  it('mints a token that cannot use another verb, resource or name', async () => {
    const a = adapter(mode);
    const [web, other, config] = await Promise.all([object('scale'), object('scale'), object('set-data')]);
    const plan = a.plan(web.contract);
    const identity = await a.mint(plan, claimsFor(web));
    try {
      const token = tokenClient(identity);
      const live = await a.readLiveState(plan);
      const write = writeRequest(plan, live.version as string);
      const patch = (path: string) => token.request('PATCH', path, { body: write.body, contentType: write.contentType });
      const refused = [
        // another verb on the same object
        await token.request('GET', plan.writePath),
        await token.request('PUT', plan.writePath, { body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: web.name }, spec: { replicas: 9 } } }),
        await token.request('DELETE', web.path),
        // another resource: the Deployment itself rather than its scale, a ConfigMap
        await token.request('PATCH', web.path, { body: { spec: { replicas: 9 } }, contentType: 'application/merge-patch+json' }),
        await token.request('PATCH', config.path, { body: { data: { mode: 'x' } }, contentType: 'application/merge-patch+json' }),
        // another name
        await patch(`${other.path}/scale`),
        // its own kind of power
        await token.request('POST', `/api/v1/namespaces/${k8s.info.executorNamespace}/serviceaccounts`, { body: { metadata: { name: 'x' } } }),
      ];
      for (const r of refused) expect(r.status, JSON.stringify(r.body)).toBe(403);
      expect(await a.invoke(plan, identity, live)).toMatchObject({ status: 'succeeded' });
    } finally {
      await a.retire(identity);
    }
  });

  it('sees drift when the object was changed out of band, for each kind', async () => {
    const a = adapter(mode);
    for (const kind of MUTATION_KINDS) {
      const o = await object(kind);
      const plan = a.plan(o.contract);
      const certified = jcsDigest((await a.readLiveState(plan)).state);
      await changeOutOfBand(admin, o);
      expect(checkDrift({ digest: certified }, await a.readLiveState(plan))).toBe('drift');
    }
  });

  it('refuses a write when the object changed after the drift check (resourceVersion precondition)', async () => {
    const a = adapter(mode);
    for (const kind of MUTATION_KINDS) {
      const o = await object(kind);
      const plan = a.plan(o.contract);
      const live = await a.readLiveState(plan);
      const identity = await a.mint(plan, claimsFor(o));
      try {
        await changeOutOfBand(admin, o);
        expect(await a.invoke(plan, identity, live)).toMatchObject({ status: 'precondition_failed' });
      } finally {
        await a.retire(identity);
      }
      expect(await applied(o)).not.toEqual(expected(o));
    }
  });

  it("reads the drift check's state from a watch cache (the broker's, or the API server's until that is in sync); a write on a version the cache showed before a change is refused", async () => {
    const a = adapter(mode);
    for (const kind of MUTATION_KINDS) {
      const o = await object(kind);
      const plan = a.plan(o.contract);
      const fresh = await a.readLiveState(plan);
      // The cache catches up with the object's creation: wait on that, never a fixed sleep.
      let cached = await a.readCachedLiveState(plan);
      for (let i = 0; i < 200 && cached.version !== fresh.version; i++) {
        await pause();
        cached = await a.readCachedLiveState(plan);
      }
      expect(cached).toEqual(fresh);
      const identity = await a.mint(plan, claimsFor(o));
      try {
        await changeOutOfBand(admin, o);
        // However far behind the cache is, the write is held to the version it showed.
        expect(await a.invoke(plan, identity, cached)).toMatchObject({ status: 'precondition_failed' });
      } finally {
        await a.retire(identity);
      }
      expect(await applied(o)).not.toEqual(expected(o));
    }
  });

  it.skipIf(mode === 'impersonation')('deletes what a crashed mint left behind, by the names reserved (and signed) before it', async () => {
    const a = adapter(mode);
    const o = await object('set-data');
    const plan = a.plan(o.contract);
    const reservation = a.reserve(plan);
    if (reservation === undefined) throw new Error(`${mode} mode reserves the objects a mint creates`);
    // The broker mints under the reservation and then crashes: nothing retires the identity.
    await a.mint(plan, claimsFor(o), reservation);
    const executors = k8s.info.executorNamespace;
    const roleNamespace = k8s.info.protectedNamespaces[0] as string;
    expect(await managedObjects(executors, ['secrets'])).toBe(1);
    // What reconciliation does after the restart, from the signed intent.
    await a.retireReserved(reservation);
    await a.retireReserved(reservation); // gone already is fine
    expect(await managedObjects(executors, ['secrets'])).toBe(0);
    if (mode === 'ephemeral') {
      expect(await managedObjects(executors, ['serviceaccounts'])).toBe(0);
      expect(await managedObjects(roleNamespace, ['roles', 'rolebindings'])).toBe(0);
    }
    await expect(a.retireReserved({ ...reservation, secret: 'kube-root-ca.crt' })).rejects.toThrow(/not a name this broker makes/);
  });

  it.skipIf(mode === 'impersonation')('ends the token once its bound Secret is deleted: the API server answers 401', async () => {
    const a = adapter(mode);
    const o = await object('set-data');
    const plan = a.plan(o.contract);
    const identity = await a.mint(plan, claimsFor(o));
    const token = tokenClient(identity);
    const whoami = () => token.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    expect((await whoami()).status).toBe(201);
    expect(await a.invoke(plan, identity, await a.readLiveState(plan))).toMatchObject({ status: 'succeeded' });
    const secret = `/api/v1/namespaces/${k8s.info.executorNamespace}/secrets/${(identity.handle as ExecutorHandle).objects?.secret}`;
    expect((await admin.request('GET', secret)).status).toBe(200);

    const retired = performance.now();
    await a.retire(identity);
    await a.retire(identity); // already gone is fine
    expect((await admin.request('GET', secret)).status).toBe(404);
    // kube-apiserver caches a successful token authentication for 10 s (not configurable), so the end is not
    // instant. Ephemeral executors lose their RoleBinding too, which ends the token's authority much sooner.
    let status = 0;
    let powerlessAt: number | undefined;
    while (performance.now() - retired < 15_000) {
      const r = await token.request('POST', paths.selfAccessReviews, { body: selfAccessReview(plan.rule) });
      if (powerlessAt === undefined && (r.status !== 201 || objectOf(objectOf(r.body).status).allowed !== true)) powerlessAt = performance.now() - retired;
      status = (await whoami()).status;
      if (status === 401) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const rejectedAt = performance.now() - retired;
    console.log(`[timing] ${mode}: after retire, the token lost its grant at ${powerlessAt?.toFixed(0)} ms and was rejected (401) at ${rejectedAt.toFixed(0)} ms`);
    if (mode === 'ephemeral') expect(powerlessAt).toBeLessThan(2000);
    expect(status).toBe(401);
  });
});

describe("the broker's watch cache", () => {
  /** An impersonating adapter on a client whose GETs and streams the test sees. */
  function watchedAdapter() {
    const connection = loadKubeconfig(k8s.info.kubeconfigs.broker);
    const client = KubeClient.connect(connection, connection.credential);
    const gets: string[] = [];
    const streams: Promise<unknown>[] = [];
    const request = client.request.bind(client);
    const stream = client.stream.bind(client);
    vi.spyOn(client, 'request').mockImplementation((method, path, options) => {
      if (method === 'GET') gets.push(path);
      return request(method, path, options);
    });
    vi.spyOn(client, 'stream').mockImplementation((path, options) => {
      const watching = stream(path, options);
      streams.push(watching.catch(() => undefined));
      return watching;
    });
    const a = new KubernetesAdapter(client, {
      protectedNamespaces: k8s.info.protectedNamespaces,
      executorNamespace: k8s.info.executorNamespace,
      audience: k8s.info.executorAudience,
      mode: 'impersonation',
    });
    open.adapters.push(a);
    return { a, gets, streams };
  }

  it('answers the drift read from memory once in sync (no GET of the object), follows an admin\'s change, and a write on the version it held before the change is refused', async () => {
    const { a, gets, streams } = watchedAdapter();
    for (const kind of MUTATION_KINDS) {
      const o = await object(kind);
      const plan = a.plan(o.contract);
      const objectGets = () => gets.filter((path) => path.startsWith(plan.objectPath)).length;
      const fresh = await a.readLiveState(plan);
      // In sync for this object once a read of it is answered from memory.
      await until(async () => {
        const before = a.cachedReads().cache;
        await a.readCachedLiveState(plan);
        return a.cachedReads().cache > before;
      });
      const [getsBefore, hitsBefore] = [objectGets(), a.cachedReads().cache];
      const held = await a.readCachedLiveState(plan);
      for (let i = 0; i < 9; i++) await a.readCachedLiveState(plan);
      expect(held).toEqual(fresh);
      expect(objectGets()).toBe(getsBefore);
      expect(a.cachedReads().cache).toBe(hitsBefore + 10);

      await changeOutOfBand(admin, o);
      const changed = await a.readLiveState(plan);
      const getsAfterChange = objectGets();
      await until(async () => (await a.readCachedLiveState(plan)).version === changed.version);
      expect(await a.readCachedLiveState(plan)).toEqual(changed);
      expect(objectGets()).toBe(getsAfterChange);

      const identity = await a.mint(plan, claimsFor(o));
      try {
        expect(await a.invoke(plan, identity, held)).toMatchObject({ status: 'precondition_failed' });
      } finally {
        await a.retire(identity);
      }
      expect(await applied(o)).not.toEqual(expected(o));
    }
    // One watch per collection, ended with the adapter.
    expect(streams.length).toBeGreaterThanOrEqual(MUTATION_KINDS.length);
    a.close();
    await Promise.all(streams);
  });
});

describe('impersonating executors', () => {
  it('ties the write to its certificate: the API server sees the executor with the jti and contract digest', async () => {
    const a = adapter('impersonation');
    const o = await object('set-data');
    const plan = a.plan(o.contract);
    const claims = claimsFor(o);
    const identity = await a.mint(plan, claims);
    const review = await tokenClient(identity).request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    expect(review.status).toBe(201);
    const user = objectOf(objectOf(objectOf(review.body).status).userInfo);
    expect(user.username).toBe(identity.principal);
    expect(user.groups).toContain(`system:serviceaccounts:${k8s.info.executorNamespace}`);
    expect(user.extra).toEqual({ [IMPERSONATION_EXTRA.jti]: [claims.jti], [IMPERSONATION_EXTRA.contractDigest]: [claims.cdg] });
    expect(await a.invoke(plan, identity, await a.readLiveState(plan))).toMatchObject({ status: 'succeeded' });
  });

  it('lets the broker impersonate executor ServiceAccounts only: no other account, user or group, no other extra', async () => {
    const broker = clientFor(k8s.info.kubeconfigs.broker);
    const ns = k8s.info.protectedNamespaces[0] as string;
    const as = (headers: Record<string, string>) => broker.request('GET', `/api/v1/namespaces/${ns}/configmaps`, { headers });
    try {
      const refused = [
        await as({ 'Impersonate-User': `system:serviceaccount:${ns}:default` }),
        await as({ 'Impersonate-User': 'admin' }),
        await as({ 'Impersonate-User': `system:serviceaccount:${k8s.info.executorNamespace}:x`, 'Impersonate-Group': 'system:masters' }),
        await as({ 'Impersonate-User': `system:serviceaccount:${k8s.info.executorNamespace}:x`, 'Impersonate-Extra-scopes': 'all' }),
      ];
      for (const r of refused) expect(r.status, JSON.stringify(r.body)).toBe(403);
    } finally {
      broker.close();
    }
  });
});
