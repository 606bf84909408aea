// The objects an executor is made of, as plain manifests (pure): its
// ServiceAccount, the Role granting one rule and the RoleBinding to it, the
// Secret a token is bound to, the TokenRequest, and the access review that
// tells when the grant has reached the API server's authorizer.
import { createHash, randomBytes } from 'node:crypto';
import { InvalidInputError } from '../../core/errors.js';
import type { JsonObject } from '../../core/strict-json.js';
import type { ScopedRule } from './operations.js';

/** TokenRequest refuses anything shorter (ValidationError below 10 minutes). */
export const MIN_TOKEN_EXPIRATION_S = 600;

const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'seb-broker' };

/** A pooled executor's name, stable per permission shape so every broker finds the same one. */
export function pooledName(shape: string): string {
  return `seb-pool-${createHash('sha256').update(shape).digest('hex').slice(0, 24)}`;
}

/** A fresh name for one execution's objects. */
export function executionName(prefix: 'seb-exec' | 'seb-bind'): string {
  return `${prefix}-${randomBytes(10).toString('hex')}`;
}

/** What one execution's mint creates, by name: its binding Secret and, in ephemeral mode, its executor. */
export interface ExecutorObjects {
  readonly namespace: string;
  readonly secret: string;
  /** Set in ephemeral mode: the ServiceAccount, Role and RoleBinding share this name. */
  readonly ephemeral: { readonly name: string; readonly roleNamespace: string } | undefined;
}

const EXECUTION_NAME = { 'seb-exec': /^seb-exec-[0-9a-f]{20}$/, 'seb-bind': /^seb-bind-[0-9a-f]{20}$/ } as const;

/** The objects as JSON, for the broker to sign into the intent before they exist. */
export function reservationOf(objects: ExecutorObjects): JsonObject {
  const { namespace, secret, ephemeral } = objects;
  return ephemeral === undefined ? { namespace, secret } : { namespace, secret, executor: ephemeral.name, roleNamespace: ephemeral.roleNamespace };
}

/**
 * Read a reservation back for deletion, strictly: only names this adapter
 * makes, in the executor namespace and the protected namespaces, so that a
 * reservation can never name anything else for deletion.
 */
export function readReservation(json: JsonObject, allowed: { readonly namespace: string; readonly roleNamespaces: readonly string[] }): ExecutorObjects {
  const { namespace, secret, executor, roleNamespace } = json;
  const names = Object.keys(json).sort().join();
  const fail = (why: string) => new InvalidInputError(`executor reservation: ${why}`);
  if (names !== 'namespace,secret' && names !== 'executor,namespace,roleNamespace,secret') throw fail('members must be namespace, secret and, in ephemeral mode, executor and roleNamespace');
  if (namespace !== allowed.namespace) throw fail(`namespace must be the executor namespace ${allowed.namespace}`);
  if (typeof secret !== 'string' || !EXECUTION_NAME['seb-bind'].test(secret)) throw fail('secret is not a name this broker makes');
  if (executor === undefined) return { namespace, secret, ephemeral: undefined };
  if (typeof executor !== 'string' || !EXECUTION_NAME['seb-exec'].test(executor)) throw fail('executor is not a name this broker makes');
  if (typeof roleNamespace !== 'string' || !allowed.roleNamespaces.includes(roleNamespace)) throw fail('roleNamespace is not a protected namespace');
  return { namespace, secret, ephemeral: { name: executor, roleNamespace } };
}

export function serviceAccount(name: string, namespace: string, shape: string): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace, labels: MANAGED_BY, annotations: { 'seb.io/shape': shape } },
    automountServiceAccountToken: false,
  };
}

export function role(name: string, rule: ScopedRule, shape: string): JsonObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name, namespace: rule.namespace, labels: MANAGED_BY, annotations: { 'seb.io/shape': shape } },
    rules: [
      {
        apiGroups: [rule.apiGroup],
        resources: [rule.subresource === undefined ? rule.resource : `${rule.resource}/${rule.subresource}`],
        verbs: [rule.verb],
        resourceNames: [rule.name],
      },
    ],
  };
}

export function roleBinding(name: string, namespace: string, executor: { name: string; namespace: string }): JsonObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name, namespace, labels: MANAGED_BY },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name: executor.name, namespace: executor.namespace }],
  };
}

/** The object one token is bound to: deleting it ends the token. Carries the certificate id for an operator tracing a token. */
export function bindingSecret(name: string, namespace: string, jti: string): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name, namespace, labels: MANAGED_BY, annotations: { 'seb.io/jti': jti } },
  };
}

export function tokenRequest(audience: string, secret: { name: string; uid: string }): JsonObject {
  return {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: {
      audiences: [audience],
      expirationSeconds: MIN_TOKEN_EXPIRATION_S,
      boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name: secret.name, uid: secret.uid },
    },
  };
}

export function selfAccessReview(rule: ScopedRule): JsonObject {
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: {
      resourceAttributes: {
        namespace: rule.namespace,
        verb: rule.verb,
        group: rule.apiGroup,
        resource: rule.resource,
        ...(rule.subresource === undefined ? {} : { subresource: rule.subresource }),
        name: rule.name,
      },
    },
  };
}

export const paths = {
  serviceAccounts: (ns: string) => `/api/v1/namespaces/${ns}/serviceaccounts`,
  secrets: (ns: string) => `/api/v1/namespaces/${ns}/secrets`,
  roles: (ns: string) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`,
  roleBindings: (ns: string) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`,
  token: (ns: string, sa: string) => `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`,
  selfAccessReviews: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
};
