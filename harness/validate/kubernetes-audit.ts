// Executor writes from kube-apiserver's audit log (the policy is
// harness/targets/local/audit-policy.ts). A successful write to a protected
// namespace is an executor's when:
// - impersonation mode: the broker impersonated a user whose extra carries
//   the certificate's jti (Impersonate-Extra-seb-jti);
// - token modes: its user is a ServiceAccount of the executor namespace. The
//   token it used is named by user.extra's credential id; the TokenRequest that
//   issued that credential (annotated with it by the API server) names the
//   Secret the token was bound to; that Secret's creation carries the jti.
// Writes by anyone else (the direct path's admin, an out-of-band mutator)
// are not executions and are not counted.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { IntegrityError, IoError } from '../../broker/core/errors.js';
import { expectStatus, type KubeClient } from '../../broker/platforms/kubernetes/client.js';
import type { AuditScope } from '../targets/local/audit-policy.js';
import type { Coverage, PlatformEvidence, PlatformWrite } from './platform-writes.js';

/** The extra the impersonation executor mode sends, as the API server records it (lower case). */
export const IMPERSONATION_JTI_EXTRA = 'seb-jti';
export const CREDENTIAL_ID_EXTRA = 'authentication.kubernetes.io/credential-id';
export const ISSUED_CREDENTIAL_ID = 'authentication.kubernetes.io/issued-credential-id';
export const JTI_ANNOTATION = 'seb.io/jti';

const WRITES = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

interface UserInfo {
  readonly username?: string;
  readonly extra?: Record<string, string[]>;
}

/** The fields of an audit.k8s.io/v1 Event the validator reads. */
export interface AuditEvent {
  readonly stage?: string;
  readonly verb?: string;
  readonly user?: UserInfo;
  readonly impersonatedUser?: UserInfo;
  readonly objectRef?: { readonly resource?: string; readonly subresource?: string; readonly namespace?: string; readonly name?: string };
  readonly responseStatus?: { readonly code?: number };
  readonly requestObject?: { readonly metadata?: { readonly name?: string; readonly annotations?: Record<string, string> }; readonly spec?: { readonly boundObjectRef?: { readonly kind?: string; readonly name?: string } } };
  readonly annotations?: Record<string, string>;
  readonly requestReceivedTimestamp?: string;
}

export const KUBERNETES_COVERAGE: Coverage = {
  platform: 'kubernetes',
  source: 'kube-apiserver audit log',
  operations: ['*'],
  counted: ['every successful write (create, update, patch, delete) to a protected namespace by an executor, per certificate'],
  notCounted: [],
};

/** JSON lines; a last line cut off mid-write is left for the next read, any other bad line is an error. */
export function parseAuditLog(text: string, file: string): AuditEvent[] {
  // The piece after the last newline is empty, or a line still being written.
  return text.split('\n').slice(0, -1).flatMap((line, i) => {
    if (line.trim() === '') return [];
    try {
      return [JSON.parse(line) as AuditEvent];
    } catch {
      throw new IntegrityError(`${file} line ${i + 1}: not a JSON audit event`);
    }
  });
}

const ok = (e: AuditEvent) => (e.responseStatus?.code ?? 0) >= 200 && (e.responseStatus?.code ?? 0) < 300;

export function executorWrites(events: readonly AuditEvent[], scope: AuditScope, t0: number): PlatformWrite[] {
  const complete = events.filter((e) => e.stage === 'ResponseComplete' && ok(e));
  const inExecutorNs = (e: AuditEvent, resource: string, subresource?: string) =>
    e.verb === 'create' && e.objectRef?.namespace === scope.executorNamespace && e.objectRef.resource === resource && e.objectRef.subresource === subresource;

  const jtiOfSecret = new Map<string, string>();
  for (const e of complete.filter((x) => inExecutorNs(x, 'secrets'))) {
    const name = e.objectRef?.name || e.requestObject?.metadata?.name;
    const jti = e.requestObject?.metadata?.annotations?.[JTI_ANNOTATION];
    if (name !== undefined && jti !== undefined) jtiOfSecret.set(name, jti);
  }
  const secretOfCredential = new Map<string, string>();
  for (const e of complete.filter((x) => inExecutorNs(x, 'serviceaccounts', 'token'))) {
    const credential = e.annotations?.[ISSUED_CREDENTIAL_ID];
    const bound = e.requestObject?.spec?.boundObjectRef;
    if (credential !== undefined && bound?.kind === 'Secret' && bound.name !== undefined) secretOfCredential.set(credential, bound.name);
  }

  const executorPrefix = `system:serviceaccount:${scope.executorNamespace}:`;
  const out: PlatformWrite[] = [];
  for (const e of complete) {
    const ref = e.objectRef;
    if (!WRITES.has(e.verb ?? '') || ref?.namespace === undefined || !scope.protectedNamespaces.includes(ref.namespace)) continue;
    const target = `${ref.namespace}/${ref.resource ?? '?'}${ref.subresource === undefined ? '' : `/${ref.subresource}`}/${ref.name ?? ''}`;
    const atMs = Date.parse(e.requestReceivedTimestamp ?? '') - t0;
    const impersonated = e.impersonatedUser?.extra?.[IMPERSONATION_JTI_EXTRA];
    if (impersonated !== undefined) {
      out.push({ platform: 'kubernetes', jti: impersonated.length === 1 ? (impersonated[0] as string) : null, target, atMs, by: `${e.user?.username} as ${e.impersonatedUser?.username}` });
      continue;
    }
    const username = e.user?.username ?? '';
    if (!username.startsWith(executorPrefix)) continue;
    const credential = e.user?.extra?.[CREDENTIAL_ID_EXTRA]?.[0];
    const secret = credential === undefined ? undefined : secretOfCredential.get(credential);
    const jti = secret === undefined ? undefined : jtiOfSecret.get(secret);
    out.push({ platform: 'kubernetes', jti: jti ?? null, target, atMs, by: `${username}${credential === undefined ? '' : ` (${credential})`}` });
  }
  return out;
}

/**
 * Reads the audit log once everything before now is in it: the API server
 * writes an event just after it answers, so a marker request (a delete of a
 * ConfigMap that does not exist, which the policy records) is sent and the
 * log read until the marker's event is there.
 */
export async function readKubernetesEvidence(o: { auditLog: string; scope: AuditScope; admin: KubeClient; t0: number; timeoutMs?: number }): Promise<PlatformEvidence> {
  const namespace = o.scope.protectedNamespaces[0];
  if (namespace === undefined) throw new IoError('audit: no protected namespace to mark the log in');
  const marker = `seb-audit-mark-${randomBytes(6).toString('hex')}`;
  expectStatus(await o.admin.request('DELETE', `/api/v1/namespaces/${namespace}/configmaps/${marker}`), [404], 'audit marker');
  const deadline = Date.now() + (o.timeoutMs ?? 10_000);
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    const events = parseAuditLog(readFileSync(o.auditLog, 'utf8'), o.auditLog);
    if (events.some((e) => e.objectRef?.name === marker)) return { writes: executorWrites(events, o.scope, o.t0), coverage: [KUBERNETES_COVERAGE] };
    if (Date.now() > deadline) throw new IoError(`audit: ${o.auditLog} did not record the marker request within ${o.timeoutMs ?? 10_000} ms`);
    await new Promise((r) => setTimeout(r, delay));
  }
}
