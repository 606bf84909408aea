import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { MIN_TOKEN_EXPIRATION_S, executionName, pooledName, readReservation, reservationOf, role, roleBinding, tokenRequest } from './executor-objects.js';
import { planMutation } from './operations.js';

const plan = planMutation({ platform: 'kubernetes', target: { namespace: 'seb-prod', kind: 'Deployment', name: 'web' }, operation: 'scale', parameters: { replicas: 2 } }, ['seb-prod']);

describe('executor objects', () => {
  it('grants one verb on one subresource of one named object, in its namespace', () => {
    const r = role('seb-exec-1', plan.rule, plan.shape);
    expect(r.metadata).toMatchObject({ name: 'seb-exec-1', namespace: 'seb-prod' });
    expect(r.rules).toEqual([{ apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'], resourceNames: ['web'] }]);
  });

  it('binds the Role of the same name to the executor ServiceAccount only', () => {
    expect(roleBinding('seb-exec-1', 'seb-prod', { name: 'seb-exec-1', namespace: 'seb-executors' })).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'seb-exec-1' },
      subjects: [{ kind: 'ServiceAccount', name: 'seb-exec-1', namespace: 'seb-executors' }],
    });
  });

  it('asks for the shortest token the server allows, for one audience, bound to the Secret by uid', () => {
    expect(tokenRequest('seb-executor', { name: 's', uid: 'u-1' }).spec).toEqual({
      audiences: ['seb-executor'],
      expirationSeconds: MIN_TOKEN_EXPIRATION_S,
      boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name: 's', uid: 'u-1' },
    });
    expect(MIN_TOKEN_EXPIRATION_S).toBe(600);
  });

  it('names pooled executors by shape and executions afresh, within Kubernetes name limits', () => {
    expect(pooledName(plan.shape)).toBe(pooledName(plan.shape));
    expect(pooledName(plan.shape)).not.toBe(pooledName(`${plan.shape}x`));
    expect(executionName('seb-bind')).not.toBe(executionName('seb-bind'));
    for (const name of [pooledName(plan.shape), executionName('seb-exec')]) expect(name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
  });

  it('reads back only the reservations it makes, so a reservation can name nothing else for deletion', () => {
    const allowed = { namespace: 'seb-executors', roleNamespaces: ['seb-prod'] };
    const ephemeral = { namespace: 'seb-executors', secret: executionName('seb-bind'), ephemeral: { name: executionName('seb-exec'), roleNamespace: 'seb-prod' } };
    const pooled = { namespace: 'seb-executors', secret: executionName('seb-bind'), ephemeral: undefined };
    expect(readReservation(reservationOf(ephemeral), allowed)).toEqual(ephemeral);
    expect(readReservation(reservationOf(pooled), allowed)).toEqual(pooled);
    for (const bad of [
      { ...reservationOf(pooled), namespace: 'kube-system' },
      { ...reservationOf(pooled), secret: 'kube-root-ca' },
      { ...reservationOf(ephemeral), executor: 'default' },
      { ...reservationOf(ephemeral), roleNamespace: 'kube-system' },
      { ...reservationOf(pooled), extra: 1 },
    ]) {
      expect(() => readReservation(bad, allowed)).toThrow(InvalidInputError);
    }
  });
});
