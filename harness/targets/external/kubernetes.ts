// A cluster someone already runs, set up for the broker through the caller's
// own kubeconfig: the local target's objects (kubernetes-bootstrap.ts), plus
// ServiceAccounts for the agent and the broker in their own namespace (never
// the executor namespace: its group is what the admission policy lets
// through), with kubeconfigs holding tokens minted by TokenRequest.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { ConfigError, IoError } from '../../../broker/core/errors.js';
import type { JsonObject } from '../../../broker/core/strict-json.js';
import { expectStatus, KubeClient, objectOf } from '../../../broker/platforms/kubernetes/client.js';
import { loadKubeconfig } from '../../../broker/platforms/kubernetes/kubeconfig.js';
import type { KubernetesTarget } from '../../../broker/platforms/target-info.js';
import { bootstrapEffective, bootstrapStages, createStages, objectPath, type BootstrapOptions, type KubeObject } from '../local/kubernetes-bootstrap.js';

export const SYSTEM_NAMESPACE = 'seb-system';
export const BOOTSTRAP_LABEL = 'seb.io/bootstrap';

export interface ExternalKubernetesOptions {
  readonly protectedNamespaces: readonly string[];
  readonly executorNamespace: string;
  /** Where the agent's and broker's ServiceAccounts live. */
  readonly systemNamespace: string;
  /** This bootstrap's id, on every object it creates. */
  readonly id: string;
  /**
   * The user who runs bootstrap: exempt from the admission policy like the
   * local target's break-glass admin, since the harness's direct baseline and
   * out-of-band changes are made with the same kubeconfig.
   */
  readonly admin: string;
}

const serviceAccountUser = (ns: string, name: string) => `system:serviceaccount:${ns}:${name}`;

export function identitiesOf(o: ExternalKubernetesOptions): BootstrapOptions['identities'] {
  return { agent: serviceAccountUser(o.systemNamespace, 'seb-agent'), broker: serviceAccountUser(o.systemNamespace, 'seb-broker') };
}

export function bootstrapOptionsOf(o: ExternalKubernetesOptions): BootstrapOptions {
  return {
    protectedNamespaces: o.protectedNamespaces,
    executorNamespace: o.executorNamespace,
    identities: identitiesOf(o),
    labels: { 'app.kubernetes.io/managed-by': 'seb', [BOOTSTRAP_LABEL]: o.id },
    breakGlassUsers: [o.admin],
  };
}

/** Every object bootstrap creates on the cluster, in order: what --dry-run prints. */
export function externalStages(o: ExternalKubernetesOptions): KubeObject[][] {
  if (o.protectedNamespaces.includes(o.systemNamespace) || o.systemNamespace === o.executorNamespace) {
    throw new ConfigError('--system-namespace', 'must differ from the protected and executor namespaces');
  }
  const labels = { 'app.kubernetes.io/managed-by': 'seb', [BOOTSTRAP_LABEL]: o.id };
  const sa = (name: string): KubeObject => ({ collection: `/api/v1/namespaces/${o.systemNamespace}/serviceaccounts`, body: { metadata: { name, namespace: o.systemNamespace, labels } } });
  return [[{ collection: '/api/v1/namespaces', body: { metadata: { name: o.systemNamespace, labels } } }], [sa('seb-agent'), sa('seb-broker')], ...bootstrapStages(bootstrapOptionsOf(o))];
}

/** The access a SelfSubjectAccessReview asks about for creating `object`. */
export function createAttributes(object: KubeObject): JsonObject {
  const parts = object.collection.split('/').filter((p) => p !== '');
  // /api/v1/... or /apis/<group>/<version>/...
  const group = parts[0] === 'api' ? '' : (parts[1] ?? '');
  const rest = parts.slice(parts[0] === 'api' ? 2 : 3);
  const namespaced = rest[0] === 'namespaces' && rest.length === 3;
  return { verb: 'create', group, resource: namespaced ? (rest[2] as string) : (rest[0] as string), ...(namespaced ? { namespace: rest[1] as string } : {}) };
}

/** Everything bootstrap does as the caller: create each object, mint the two tokens, check grants, and probe the policy. */
export function requiredAccess(o: ExternalKubernetesOptions): JsonObject[] {
  const creates = externalStages(o).flat().map(createAttributes);
  return [
    ...creates,
    ...['delete', 'get'].map((verb) => ({ verb, group: '', resource: 'namespaces' })),
    { verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', namespace: o.systemNamespace },
    { verb: 'create', group: 'authorization.k8s.io', resource: 'subjectaccessreviews' },
    { verb: 'impersonate', group: '', resource: 'users' },
    { verb: 'impersonate', group: '', resource: 'groups' },
  ];
}

/** Asks the API server (SelfSubjectAccessReview) for each; returns what the caller may not do. */
export async function missingAccess(admin: KubeClient, checks: readonly JsonObject[]): Promise<string[]> {
  const answers = await Promise.all(
    checks.map(async (resourceAttributes) => {
      const r = await admin.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes } },
      });
      const allowed = objectOf(objectOf(expectStatus(r, [201], 'SelfSubjectAccessReview')).status).allowed === true;
      return allowed ? undefined : describeAccess(resourceAttributes);
    }),
  );
  return [...new Set(answers.filter((a): a is string => a !== undefined))];
}

export function describeAccess(a: JsonObject): string {
  const resource = `${a.resource as string}${a.subresource === undefined ? '' : `/${a.subresource as string}`}${a.group === '' ? '' : `.${a.group as string}`}`;
  return `${a.verb as string} ${resource}${a.namespace === undefined ? '' : ` in ${a.namespace as string}`}`;
}

export interface KubernetesBootstrapResult {
  readonly info: KubernetesTarget;
  /** Paths of the objects created, in creation order. */
  readonly created: readonly string[];
  readonly tokenExpiry: string;
}

/**
 * Creates the objects (an existing protected namespace is used as it is and
 * left alone by teardown), waits until RBAC and the policy are effective,
 * mints the agent's and broker's tokens and writes their kubeconfigs to `dir`.
 * `record` sees each created path at once, so a failure part-way leaves a
 * manifest that teardown can use.
 */
export async function bootstrapExternalKubernetes(
  adminKubeconfig: string,
  options: Omit<ExternalKubernetesOptions, 'admin'>,
  dir: string,
  tokenSeconds: number,
  record: (path: string) => void,
): Promise<KubernetesBootstrapResult> {
  const connection = loadKubeconfig(adminKubeconfig);
  const admin = KubeClient.connect(connection, connection.credential);
  const created: string[] = [];
  try {
    const o = { ...options, admin: await whoAmI(admin) };
    const missing = await missingAccess(admin, requiredAccess(o));
    if (missing.length > 0) throw new ConfigError(`kubeconfig ${adminKubeconfig}`, `the caller may not: ${missing.join('; ')} (asked the API server with SelfSubjectAccessReview); nothing was created`);
    await createStages(admin, externalStages(o), {
      reuseNamespaces: true,
      created: (object) => {
        created.push(objectPath(object));
        record(objectPath(object));
      },
    });
    await bootstrapEffective(admin, bootstrapOptionsOf(o));
    const agent = await mintToken(admin, o.systemNamespace, 'seb-agent', tokenSeconds);
    const broker = await mintToken(admin, o.systemNamespace, 'seb-broker', tokenSeconds);
    const ca = connection.ca?.toString('base64');
    const write = (role: string, token: string) => writeTokenKubeconfig(join(dir, `${role}.kubeconfig`), connection.server, ca, `seb-${role}`, token);
    return {
      info: {
        server: connection.server,
        kubeconfigs: { admin: adminKubeconfig, agent: write('agent', agent.token), broker: write('broker', broker.token) },
        protectedNamespaces: o.protectedNamespaces,
        executorNamespace: o.executorNamespace,
        // The API server's own audience: one it accepts without any flag of ours.
        executorAudience: broker.audience,
      },
      created,
      tokenExpiry: broker.expiry,
    };
  } finally {
    admin.close();
  }
}

/** The caller's user name, as the API server authenticated it (SelfSubjectReview). */
export async function whoAmI(client: KubeClient): Promise<string> {
  const r = await client.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
  const name = objectOf(objectOf(objectOf(expectStatus(r, [201], 'SelfSubjectReview')).status).userInfo).username;
  if (typeof name !== 'string' || name === '') throw new IoError('SelfSubjectReview: the API server named no user');
  return name;
}

async function mintToken(admin: KubeClient, ns: string, name: string, seconds: number): Promise<{ token: string; audience: string; expiry: string }> {
  const r = await admin.request('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`, {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: seconds } },
  });
  const body = objectOf(expectStatus(r, [201], `token for ${ns}/${name}`));
  const token = objectOf(body.status).token;
  const audiences = objectOf(body.spec).audiences;
  const audience = Array.isArray(audiences) ? audiences[0] : undefined;
  if (typeof token !== 'string' || typeof audience !== 'string') throw new IoError(`token for ${ns}/${name}: the API server returned no token or audience`);
  return { token, audience, expiry: String(objectOf(body.status).expirationTimestamp) };
}

function writeTokenKubeconfig(file: string, server: string, ca: string | undefined, user: string, token: string): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'target', cluster: { server, ...(ca === undefined ? {} : { 'certificate-authority-data': ca }) } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: user, context: { cluster: 'target', user } }],
    'current-context': user,
  };
  writeFileSync(file, stringify(config), { mode: 0o600 });
  return file;
}

/**
 * A copy of `file` whose current context is `context`, relative paths made
 * absolute (target.json names one kubeconfig per identity, no context).
 */
export function pinContext(file: string, context: string, out: string): string {
  const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const base = dirname(resolve(file));
  const absolute = (entry: unknown, keys: readonly string[]) => {
    if (typeof entry !== 'object' || entry === null) return;
    const e = entry as Record<string, unknown>;
    for (const k of keys) if (typeof e[k] === 'string' && !isAbsolute(e[k] as string)) e[k] = resolve(base, e[k] as string);
  };
  for (const c of (doc.clusters as { cluster?: unknown }[] | undefined) ?? []) absolute(c.cluster, ['certificate-authority']);
  for (const u of (doc.users as { user?: Record<string, unknown> }[] | undefined) ?? []) {
    absolute(u.user, ['client-certificate', 'client-key', 'tokenFile']);
    const exec = u.user?.exec as Record<string, unknown> | undefined;
    if (typeof exec?.command === 'string' && exec.command.includes('/')) absolute(exec, ['command']);
  }
  doc['current-context'] = context;
  writeFileSync(out, stringify(doc), { mode: 0o600 });
  loadKubeconfig(out); // the context exists and is usable, or this names what is wrong
  return out;
}

/** Deletes `paths` in reverse creation order; what is already gone is fine. */
export async function teardownKubernetes(admin: KubeClient, paths: readonly string[]): Promise<void> {
  for (const path of [...paths].reverse()) {
    const r = await admin.request('DELETE', path);
    expectStatus(r, [200, 202, 404], `teardown: delete ${path}`);
  }
}

/**
 * What of `paths` is still there. A namespace being deleted is listed apart:
 * the cluster's namespace controller empties and removes it (a bare
 * kube-apiserver without kube-controller-manager never does).
 */
export async function remainingKubernetes(admin: KubeClient, paths: readonly string[]): Promise<{ left: string[]; terminating: string[] }> {
  const states = await Promise.all(
    paths.map(async (path) => {
      const r = await admin.request('GET', path);
      if (r.status === 404) return { path, state: 'gone' as const };
      return { path, state: objectOf(objectOf(r.body).metadata).deletionTimestamp === undefined ? ('left' as const) : ('terminating' as const) };
    }),
  );
  return { left: states.filter((s) => s.state === 'left').map((s) => s.path), terminating: states.filter((s) => s.state === 'terminating').map((s) => s.path) };
}
