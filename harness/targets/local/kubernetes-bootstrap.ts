// Who may do what on a Kubernetes target, set up as admin: the local target,
// and (through `seb target bootstrap`) a cluster someone already runs. The
// objects are listed first (bootstrapStages, printed by --dry-run), then
// created in that order, each creation reported (for teardown's manifest).
//
// RBAC (the first wall):
// - agent: get/list/watch on the target kinds in the protected namespaces.
// - broker: in protected namespaces, get on the target kinds, create/delete
//   Roles and RoleBindings, and `patch` on exactly the (sub)resources the
//   adapter's allowlist can grant (GRANTABLE_RULES); in the executor
//   namespace, create/delete ServiceAccounts and Secrets, create
//   serviceaccounts/token and impersonate ServiceAccounts (the executors:
//   nothing else lives in that namespace, and only the broker makes them);
//   cluster-wide, only impersonating the two extra attributes that tie a
//   write to its certificate (userextras/seb-jti, seb-contract-digest).
//   Impersonating a ServiceAccount is authorized on the serviceaccounts
//   resource of its namespace, and it brings that account's own groups; the
//   broker may not impersonate users or groups, so it cannot add any. Names
//   cannot be listed in advance (executors are made per permission shape on
//   first use); the namespace is the bound, the same one that bounds the
//   tokens it may request.
//   Why no `escalate` or `bind`: escalate on roles cannot be narrowed by rule
//   content (it lets the holder write any rule into a Role, then bind itself
//   to it, reads of Secrets included), and bind can be narrowed only by Role
//   name, which ephemeral executors do not have in advance. Holding the
//   grantable rules instead lets the API server's own escalation check pass
//   for exactly those rules and no others; the admission policy below refuses
//   the broker's direct use of them.
//
// ValidatingAdmissionPolicy (the second wall, which RBAC mistakes cannot
// open): in a protected namespace, every CREATE, UPDATE (patches included),
// DELETE and CONNECT (exec, port-forward) is refused unless the caller is a
// broker executor (group system:serviceaccounts:<executor namespace>), the
// broker for Roles and RoleBindings whose subjects are executors only, the
// break-glass group, or a control-plane component. So an agent bound to
// cluster-admin by mistake is still refused. Its limit: admission policies do
// not apply to admission configuration objects, so an identity that may
// write ValidatingAdmissionPolicies can remove this one; keep that verb on
// admins only.
//
// Without kube-controller-manager there are no default ServiceAccounts, no
// garbage collection, and namespace deletion never completes: namespaces are
// made once per target and objects inside them are deleted, not the
// namespaces.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { IoError } from '../../../broker/core/errors.js';
import type { JsonObject } from '../../../broker/core/strict-json.js';
import { expectStatus, objectOf, type KubeClient } from '../../../broker/platforms/kubernetes/client.js';
import { IMPERSONATION_EXTRA } from '../../../broker/platforms/kubernetes/executor.js';
import { GRANTABLE_RULES, TARGET_RESOURCES } from '../../../broker/platforms/kubernetes/operations.js';
import type { ClientIdentity, LocalPki } from './pki.js';

export interface BootstrapOptions {
  readonly protectedNamespaces: readonly string[];
  readonly executorNamespace: string;
  /** The user names the agent and the broker authenticate as (certificate CN locally, ServiceAccounts elsewhere). */
  readonly identities: { readonly agent: string; readonly broker: string };
  /** Put on every object, so that what a bootstrap made can be found again. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Users exempt from the policy besides the break-glass group: on someone else's cluster, the admin who bootstraps it. */
  readonly breakGlassUsers?: readonly string[];
}

/** One object to create: the collection it is POSTed to, and its body. */
export interface KubeObject {
  readonly collection: string;
  readonly body: JsonObject;
}

/** Where an object lives once created (GET, DELETE). */
export function objectPath(o: KubeObject): string {
  return `${o.collection}/${String(objectOf(o.body.metadata).name)}`;
}

export const POLICY_NAME = 'seb-protected-namespaces';
export const BREAK_GLASS_GROUP = 'seb:break-glass';
/** Identities of a full control plane that reconcile objects in every namespace (deployment → replica sets → pods). */
const CONTROL_PLANE_USERS = ['system:apiserver', 'system:kube-controller-manager', 'system:kube-scheduler'];
const CONTROL_PLANE_GROUPS = ['system:nodes', 'system:serviceaccounts:kube-system'];

const RBAC = 'rbac.authorization.k8s.io';
const READY_TIMEOUT_MS = 10_000;

export type Kubeconfigs = { readonly admin: string; readonly agent: string; readonly broker: string };

/** One kubeconfig per identity, certificates embedded, readable by the owner only. */
export function writeKubeconfigs(dir: string, server: string, pki: LocalPki): Kubeconfigs {
  const ca = readFileSync(pki.ca.cert).toString('base64');
  const write = (role: keyof Kubeconfigs, id: ClientIdentity): string => {
    const file = join(dir, `${role}.kubeconfig`);
    const context = `seb-local-${role}`;
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'seb-local', cluster: { server, 'certificate-authority-data': ca } }],
      users: [
        {
          name: id.user,
          user: { 'client-certificate-data': readFileSync(id.cert).toString('base64'), 'client-key-data': readFileSync(id.key).toString('base64') },
        },
      ],
      contexts: [{ name: context, context: { cluster: 'seb-local', user: id.user } }],
      'current-context': context,
    };
    writeFileSync(file, stringify(config), { mode: 0o600 });
    return file;
  };
  return { admin: write('admin', pki.users.admin), agent: write('agent', pki.users.agent), broker: write('broker', pki.users.broker) };
}

/**
 * Everything bootstrap creates, in stages: the objects of one stage do not
 * depend on each other; each stage depends on the ones before (bindings on
 * their roles and namespaces).
 */
export function bootstrapStages(o: BootstrapOptions): KubeObject[][] {
  const meta = (name: string, namespace?: string, extra: JsonObject = {}): JsonObject => ({
    name,
    ...(namespace === undefined ? {} : { namespace }),
    ...(o.labels === undefined && extra.labels === undefined ? {} : { labels: { ...objectOf(extra.labels), ...o.labels } }),
  });
  const bind = (ns: string, name: string, clusterRole: string, user: string): KubeObject => ({
    collection: `/apis/${RBAC}/v1/namespaces/${ns}/rolebindings`,
    body: { metadata: meta(name, ns), roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: clusterRole }, subjects: [{ apiGroup: RBAC, kind: 'User', name: user }] },
  });
  return [
    [
      ...o.protectedNamespaces.map((name) => ({ collection: '/api/v1/namespaces', body: { metadata: meta(name, undefined, { labels: { 'seb.io/role': 'protected' } }) } })),
      { collection: '/api/v1/namespaces', body: { metadata: meta(o.executorNamespace, undefined, { labels: { 'seb.io/role': 'executors' } }) } },
      { collection: `/apis/${RBAC}/v1/clusterroles`, body: { metadata: meta('seb:agent'), rules: readRules(['get', 'list', 'watch']) } },
      { collection: `/apis/${RBAC}/v1/clusterroles`, body: { metadata: meta('seb:broker'), rules: brokerRules() } },
      { collection: '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies', body: admissionPolicy(o, meta(POLICY_NAME)) },
      {
        collection: '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings',
        body: { metadata: meta(POLICY_NAME), spec: { policyName: POLICY_NAME, validationActions: ['Deny'] } },
      },
    ],
    [
      ...o.protectedNamespaces.flatMap((ns) => [bind(ns, 'seb:agent', 'seb:agent', o.identities.agent), bind(ns, 'seb:broker', 'seb:broker', o.identities.broker)]),
      {
        collection: `/apis/${RBAC}/v1/namespaces/${o.executorNamespace}/roles`,
        body: {
          metadata: meta('seb:broker-executors', o.executorNamespace),
          rules: [
            { apiGroups: [''], resources: ['serviceaccounts', 'secrets'], verbs: ['create', 'delete'] },
            { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
            { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] },
          ],
        },
      },
      {
        collection: `/apis/${RBAC}/v1/clusterroles`,
        body: {
          metadata: meta('seb:broker-impersonation-extras'),
          rules: [{ apiGroups: ['authentication.k8s.io'], resources: Object.values(IMPERSONATION_EXTRA).map((key) => `userextras/${key}`), verbs: ['impersonate'] }],
        },
      },
    ],
    [
      {
        collection: `/apis/${RBAC}/v1/clusterrolebindings`,
        body: {
          metadata: meta('seb:broker-impersonation-extras'),
          roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'seb:broker-impersonation-extras' },
          subjects: [{ apiGroup: RBAC, kind: 'User', name: o.identities.broker }],
        },
      },
      {
        collection: `/apis/${RBAC}/v1/namespaces/${o.executorNamespace}/rolebindings`,
        body: {
          metadata: meta('seb:broker-executors', o.executorNamespace),
          roleRef: { apiGroup: RBAC, kind: 'Role', name: 'seb:broker-executors' },
          subjects: [{ apiGroup: RBAC, kind: 'User', name: o.identities.broker }],
        },
      },
    ],
  ];
}

export interface CreateOptions {
  /** A namespace that already exists is used as it is, and not reported as created (so teardown leaves it). */
  readonly reuseNamespaces?: boolean;
  /** Called after each object is created, before the next stage. */
  readonly created?: (object: KubeObject) => void;
}

/** Creates the stages in order; any refusal stops it, naming the object and the server's message. */
export async function createStages(admin: KubeClient, stages: readonly (readonly KubeObject[])[], options: CreateOptions = {}): Promise<void> {
  for (const stage of stages) {
    await Promise.all(
      stage.map(async (object) => {
        const r = await admin.request('POST', object.collection, { body: object.body });
        if (r.status === 409 && options.reuseNamespaces === true && object.collection === '/api/v1/namespaces') return;
        expectStatus(r, [201], `bootstrap: create ${objectPath(object)}`);
        options.created?.(object);
      }),
    );
  }
}

export async function bootstrapKubernetes(admin: KubeClient, o: BootstrapOptions, options: CreateOptions = {}): Promise<void> {
  await createStages(admin, bootstrapStages(o), options);
  await bootstrapEffective(admin, o);
}

/** RBAC and the admission policy reach the API server through informers: returns once both answer as configured. */
export async function bootstrapEffective(admin: KubeClient, o: BootstrapOptions): Promise<void> {
  await Promise.all([grantsEffective(admin, o), policyEffective(admin, o)]);
}

function readRules(verbs: readonly string[]): JsonObject[] {
  return TARGET_RESOURCES.map((r) => ({ apiGroups: [r.apiGroup], resources: [r.resource], verbs: [...verbs] }));
}

function brokerRules(): JsonObject[] {
  return [
    // list and watch: the broker's watch cache follows the collections it serves (watch-cache.ts).
    ...readRules(['get', 'list', 'watch']),
    ...GRANTABLE_RULES.map((r) => ({
      apiGroups: [r.apiGroup],
      resources: [r.subresource === undefined ? r.resource : `${r.resource}/${r.subresource}`],
      verbs: [r.verb],
    })),
    { apiGroups: [RBAC], resources: ['roles', 'rolebindings'], verbs: ['create', 'delete'] },
  ];
}

function admissionPolicy(o: BootstrapOptions, metadata: JsonObject): JsonObject {
  const list = (xs: readonly string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
  const isBroker = `request.userInfo.username == '${o.identities.broker}'`;
  const isRbac = `request.resource.group == '${RBAC}' && request.resource.resource in ['roles', 'rolebindings']`;
  return {
    metadata,
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [{ apiGroups: ['*'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'], resources: ['*/*'] }],
      },
      matchConditions: [
        {
          // Objects in a protected namespace, and the Namespace objects themselves.
          name: 'protected-namespace',
          expression: `request.namespace in ${list(o.protectedNamespaces)} || (request.resource.group == '' && request.resource.resource == 'namespaces' && request.name in ${list(o.protectedNamespaces)})`,
        },
        {
          name: 'not-exempt',
          expression: `!('${BREAK_GLASS_GROUP}' in request.userInfo.groups) && !(request.userInfo.username in ${list([...CONTROL_PLANE_USERS, ...(o.breakGlassUsers ?? [])])}) && !request.userInfo.groups.exists(g, g in ${list(CONTROL_PLANE_GROUPS)})`,
        },
      ],
      validations: [
        {
          expression: `'system:serviceaccounts:${o.executorNamespace}' in request.userInfo.groups || (${isBroker} && ${isRbac})`,
          messageExpression: `'only broker executors may change protected namespace ' + request.namespace + '; refused for ' + request.userInfo.username`,
          reason: 'Forbidden',
        },
        {
          // The broker may bind only its executors, and only to namespaced Roles.
          expression: `!(${isBroker} && request.resource.resource == 'rolebindings' && request.operation != 'DELETE') || (object.roleRef.kind == 'Role' && has(object.subjects) && object.subjects.all(s, s.kind == 'ServiceAccount' && s.namespace == '${o.executorNamespace}'))`,
          message: 'the broker may bind only executor ServiceAccounts to Roles',
          reason: 'Forbidden',
        },
      ],
    },
  };
}

/** RBAC reaches the authorizer through an informer: wait until it answers as configured. */
async function grantsEffective(admin: KubeClient, o: BootstrapOptions): Promise<void> {
  const ns = o.protectedNamespaces[0] as string;
  const checks: JsonObject[] = [
    { user: o.identities.agent, resourceAttributes: { namespace: ns, verb: 'get', group: 'apps', resource: 'deployments' } },
    { user: o.identities.broker, resourceAttributes: { namespace: ns, verb: 'create', group: RBAC, resource: 'rolebindings' } },
    { user: o.identities.broker, resourceAttributes: { namespace: o.executorNamespace, verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token' } },
    { user: o.identities.broker, resourceAttributes: { namespace: o.executorNamespace, verb: 'impersonate', group: '', resource: 'serviceaccounts', name: 'probe' } },
    { user: o.identities.broker, resourceAttributes: { verb: 'impersonate', group: 'authentication.k8s.io', resource: 'userextras', subresource: IMPERSONATION_EXTRA.jti, name: 'probe' } },
  ];
  await until('RBAC grants', async () => {
    for (const spec of checks) {
      const r = await admin.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec } });
      if (objectOf(objectOf(r.body).status).allowed !== true) return false;
    }
    return true;
  });
}

/** The policy is loaded through an informer too: wait until a dry-run write by a non-exempt cluster admin is refused. */
async function policyEffective(admin: KubeClient, o: BootstrapOptions): Promise<void> {
  const headers = { 'Impersonate-User': 'seb-policy-probe', 'Impersonate-Group': 'system:masters' };
  await until('admission policy', async () => {
    for (const ns of o.protectedNamespaces) {
      const r = await admin.request('POST', `/api/v1/namespaces/${ns}/configmaps?dryRun=All`, {
        body: { metadata: { name: 'seb-policy-probe' } },
        headers,
      });
      if (r.status !== 403) return false;
    }
    return true;
  });
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new IoError(`bootstrap: ${what} not effective after ${READY_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
