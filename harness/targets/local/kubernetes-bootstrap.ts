// Who may do what on the local Kubernetes target, set up as admin.
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
import { USERS, type ClientIdentity, type LocalPki } from './pki.js';

export interface BootstrapOptions {
  readonly protectedNamespaces: readonly string[];
  readonly executorNamespace: string;
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

export async function bootstrapKubernetes(admin: KubeClient, o: BootstrapOptions): Promise<void> {
  const create = async (path: string, body: JsonObject): Promise<void> => {
    expectStatus(await admin.request('POST', path, { body }), [201], `bootstrap: create ${path}`);
  };
  const bind = (ns: string, name: string, clusterRole: string, user: string) =>
    create(`/apis/${RBAC}/v1/namespaces/${ns}/rolebindings`, {
      metadata: { name, namespace: ns },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: clusterRole },
      subjects: [{ apiGroup: RBAC, kind: 'User', name: user }],
    });

  await Promise.all([
    ...o.protectedNamespaces.map((name) => create('/api/v1/namespaces', { metadata: { name, labels: { 'seb.io/role': 'protected' } } })),
    create('/api/v1/namespaces', { metadata: { name: o.executorNamespace, labels: { 'seb.io/role': 'executors' } } }),
    create(`/apis/${RBAC}/v1/clusterroles`, { metadata: { name: 'seb:agent' }, rules: readRules(['get', 'list', 'watch']) }),
    create(`/apis/${RBAC}/v1/clusterroles`, { metadata: { name: 'seb:broker' }, rules: brokerRules() }),
    create('/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies', admissionPolicy(o)),
    create('/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings', {
      metadata: { name: POLICY_NAME },
      spec: { policyName: POLICY_NAME, validationActions: ['Deny'] },
    }),
  ]);
  await Promise.all([
    ...o.protectedNamespaces.flatMap((ns) => [bind(ns, 'seb:agent', 'seb:agent', USERS.agent.user), bind(ns, 'seb:broker', 'seb:broker', USERS.broker.user)]),
    create(`/apis/${RBAC}/v1/namespaces/${o.executorNamespace}/roles`, {
      metadata: { name: 'seb:broker-executors', namespace: o.executorNamespace },
      rules: [
        { apiGroups: [''], resources: ['serviceaccounts', 'secrets'], verbs: ['create', 'delete'] },
        { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
        { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] },
      ],
    }),
    create(`/apis/${RBAC}/v1/clusterroles`, {
      metadata: { name: 'seb:broker-impersonation-extras' },
      rules: [{ apiGroups: ['authentication.k8s.io'], resources: Object.values(IMPERSONATION_EXTRA).map((key) => `userextras/${key}`), verbs: ['impersonate'] }],
    }),
  ]);
  await create(`/apis/${RBAC}/v1/clusterrolebindings`, {
    metadata: { name: 'seb:broker-impersonation-extras' },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'seb:broker-impersonation-extras' },
    subjects: [{ apiGroup: RBAC, kind: 'User', name: USERS.broker.user }],
  });
  await create(`/apis/${RBAC}/v1/namespaces/${o.executorNamespace}/rolebindings`, {
    metadata: { name: 'seb:broker-executors', namespace: o.executorNamespace },
    roleRef: { apiGroup: RBAC, kind: 'Role', name: 'seb:broker-executors' },
    subjects: [{ apiGroup: RBAC, kind: 'User', name: USERS.broker.user }],
  });
  await Promise.all([grantsEffective(admin, o), policyEffective(admin, o)]);
}

function readRules(verbs: readonly string[]): JsonObject[] {
  return TARGET_RESOURCES.map((r) => ({ apiGroups: [r.apiGroup], resources: [r.resource], verbs: [...verbs] }));
}

function brokerRules(): JsonObject[] {
  return [
    ...readRules(['get']),
    ...GRANTABLE_RULES.map((r) => ({
      apiGroups: [r.apiGroup],
      resources: [r.subresource === undefined ? r.resource : `${r.resource}/${r.subresource}`],
      verbs: [r.verb],
    })),
    { apiGroups: [RBAC], resources: ['roles', 'rolebindings'], verbs: ['create', 'delete'] },
  ];
}

function admissionPolicy(o: BootstrapOptions): JsonObject {
  const list = (xs: readonly string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
  const isBroker = `request.userInfo.username == '${USERS.broker.user}'`;
  const isRbac = `request.resource.group == '${RBAC}' && request.resource.resource in ['roles', 'rolebindings']`;
  return {
    metadata: { name: POLICY_NAME },
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
          expression: `!('${BREAK_GLASS_GROUP}' in request.userInfo.groups) && !(request.userInfo.username in ${list(CONTROL_PLANE_USERS)}) && !request.userInfo.groups.exists(g, g in ${list(CONTROL_PLANE_GROUPS)})`,
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
    { user: USERS.agent.user, resourceAttributes: { namespace: ns, verb: 'get', group: 'apps', resource: 'deployments' } },
    { user: USERS.broker.user, resourceAttributes: { namespace: ns, verb: 'create', group: RBAC, resource: 'rolebindings' } },
    { user: USERS.broker.user, resourceAttributes: { namespace: o.executorNamespace, verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token' } },
    { user: USERS.broker.user, resourceAttributes: { namespace: o.executorNamespace, verb: 'impersonate', group: '', resource: 'serviceaccounts', name: 'probe' } },
    { user: USERS.broker.user, resourceAttributes: { verb: 'impersonate', group: 'authentication.k8s.io', resource: 'userextras', subresource: IMPERSONATION_EXTRA.jti, name: 'probe' } },
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
