// Attribution of executor writes from audit events, in every executor mode:
// by the token's credential id through its TokenRequest and binding Secret,
// or by the impersonated user's extra; other writers are not executions.
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../../broker/core/errors.js';
import { executorWrites, parseAuditLog, type AuditEvent } from './kubernetes-audit.js';

const scope = { protectedNamespaces: ['seb-prod'], executorNamespace: 'seb-executors' };
const at = '2026-11-30T22:00:00.250100Z';
const t0 = Date.parse('2026-11-30T22:00:00Z');
const done = (e: AuditEvent, code = 200): AuditEvent => ({ stage: 'ResponseComplete', requestReceivedTimestamp: at, responseStatus: { code }, ...e });
const broker = { username: 'seb-broker' };

const secret = (name: string, jti: string) =>
  done({ verb: 'create', user: broker, objectRef: { resource: 'secrets', namespace: 'seb-executors', name }, requestObject: { metadata: { name, annotations: { 'seb.io/jti': jti } } } }, 201);
const token = (secretName: string, credential: string) =>
  done(
    {
      verb: 'create',
      user: broker,
      objectRef: { resource: 'serviceaccounts', subresource: 'token', namespace: 'seb-executors', name: 'seb-pool-1' },
      requestObject: { spec: { boundObjectRef: { kind: 'Secret', name: secretName } } },
      annotations: { 'authentication.kubernetes.io/issued-credential-id': credential },
    },
    201,
  );
const patchBy = (user: AuditEvent['user'], code = 200, impersonatedUser?: AuditEvent['impersonatedUser']) =>
  done({ verb: 'patch', user, ...(impersonatedUser === undefined ? {} : { impersonatedUser }), objectRef: { resource: 'configmaps', namespace: 'seb-prod', name: 'flags' } }, code);
const executor = (credential: string) => ({ username: 'system:serviceaccount:seb-executors:seb-pool-1', extra: { 'authentication.kubernetes.io/credential-id': [credential] } });

describe('executorWrites', () => {
  it('ties a token write to its certificate through the credential id, TokenRequest and binding Secret', () => {
    const events = [secret('seb-bind-a', 'jti-a'), token('seb-bind-a', 'JTI=t1'), secret('seb-bind-b', 'jti-b'), token('seb-bind-b', 'JTI=t2'), patchBy(executor('JTI=t2')), patchBy(executor('JTI=t1'))];
    const writes = executorWrites(events, scope, t0);
    expect(writes.map((w) => w.jti)).toEqual(['jti-b', 'jti-a']);
    expect(writes[0]).toMatchObject({ platform: 'kubernetes', target: 'seb-prod/configmaps/flags', atMs: 250 });
  });

  it('ties an impersonated write to the jti in the impersonated user\'s extra', () => {
    expect(executorWrites([patchBy(broker, 200, { username: 'seb:executor', extra: { 'seb-jti': ['jti-i'] } })], scope, t0).map((w) => w.jti)).toEqual(['jti-i']);
  });

  it('an executor write it cannot tie to a certificate is kept, with jti null', () => {
    expect(executorWrites([patchBy(executor('JTI=unknown'))], scope, t0).map((w) => w.jti)).toEqual([null]);
  });

  it('counts neither refused writes, nor other writers, nor other namespaces', () => {
    const events = [
      secret('seb-bind-a', 'jti-a'),
      token('seb-bind-a', 'JTI=t1'),
      patchBy(executor('JTI=t1'), 409),
      patchBy({ username: 'seb-admin' }),
      done({ verb: 'patch', user: executor('JTI=t1'), objectRef: { resource: 'configmaps', namespace: 'default', name: 'x' } }),
      done({ verb: 'get', user: executor('JTI=t1'), objectRef: { resource: 'configmaps', namespace: 'seb-prod', name: 'flags' } }),
      { ...patchBy(executor('JTI=t1')), stage: 'RequestReceived' },
    ];
    expect(executorWrites(events, scope, t0)).toEqual([]);
  });
});

describe('parseAuditLog', () => {
  it('reads JSON lines and leaves a line still being written', () => {
    expect(parseAuditLog('{"verb":"patch"}\n{"verb":"create"}\n{"verb":"de', 'audit.log')).toEqual([{ verb: 'patch' }, { verb: 'create' }]);
  });

  it('refuses a complete line that is not JSON', () => {
    expect(() => parseAuditLog('{"verb":"patch"}\nnot json\n', 'audit.log')).toThrow(IntegrityError);
  });
});
