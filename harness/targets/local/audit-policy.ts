// The local kube-apiserver's audit policy: the platform's own record of every
// write the validator counts (harness/validate/kubernetes-audit.ts). Rules
// match in order, the first wins:
// - binding Secrets and TokenRequests in the executor namespace at Request
//   level: the Secret's `seb.io/jti` annotation names the certificate, the
//   TokenRequest names the Secret it binds the token to, and the API server
//   annotates it with the token's credential id, which every request made
//   with that token carries in user.extra (authentication.kubernetes.io/
//   credential-id). Binding Secrets carry no data, so nothing secret is logged.
//   The TokenRequest's response (the token) is never logged: Request, not
//   RequestResponse.
// - every other write to a protected namespace or to executor objects at
//   Metadata level: user (with its extra), impersonatedUser, objectRef,
//   responseStatus.code and the time;
// - nothing else.
// Only ResponseComplete is kept: one event per request, with its answer.
import type { JsonObject } from '../../../broker/core/strict-json.js';

export const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'] as const;

export interface AuditScope {
  readonly protectedNamespaces: readonly string[];
  readonly executorNamespace: string;
}

export function auditPolicy(scope: AuditScope): JsonObject {
  return {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    omitStages: ['RequestReceived', 'ResponseStarted'],
    rules: [
      { level: 'Request', verbs: ['create'], namespaces: [scope.executorNamespace], resources: [{ group: '', resources: ['secrets', 'serviceaccounts/token'] }] },
      { level: 'Metadata', verbs: [...WRITE_VERBS], namespaces: [...scope.protectedNamespaces, scope.executorNamespace] },
      { level: 'None' },
    ],
  };
}
