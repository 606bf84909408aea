import { describe, expect, it } from 'vitest';
import type { Contract } from '../../core/certificate/contract.js';
import { InvalidInputError } from '../../core/errors.js';
import type { JsonObject, JsonValue } from '../../core/strict-json.js';
import { GRANTABLE_RULES, planMutation, writeRequest } from './operations.js';

const NS = ['seb-prod'];
const contract = (kind: string, operation: string, parameters: JsonObject, target: JsonObject = {}): Contract => ({
  platform: 'kubernetes',
  target: { namespace: 'seb-prod', kind, name: 'web', ...target },
  operation,
  parameters,
});

describe('planMutation', () => {
  it('plans a Deployment scale: the scale subresource, one named object, replicas only in the digest', () => {
    const plan = planMutation(contract('Deployment', 'scale', { replicas: 3 }), NS);
    expect(plan.objectPath).toBe('/apis/apps/v1/namespaces/seb-prod/deployments/web');
    expect(plan.writePath).toBe('/apis/apps/v1/namespaces/seb-prod/deployments/web/scale');
    expect(plan.rule).toEqual({ apiGroup: 'apps', resource: 'deployments', subresource: 'scale', verb: 'patch', namespace: 'seb-prod', name: 'web' });
    expect(plan.shape).toBe('patch apps/deployments/scale seb-prod/web');
    const live = { metadata: { resourceVersion: '9', annotations: { x: 'y' } }, spec: { replicas: 2, template: {} }, status: { replicas: 2 } };
    expect(plan.project(live)).toEqual({ replicas: 2 });
    expect(writeRequest(plan, '9')).toEqual({
      method: 'PATCH',
      path: plan.writePath,
      contentType: 'application/json-patch+json',
      body: [
        { op: 'add', path: '/metadata/resourceVersion', value: '9' },
        { op: 'add', path: '/spec/replicas', value: 3 },
      ],
    });
  });

  it('plans a ConfigMap set-data that replaces data wholesale', () => {
    const plan = planMutation(contract('ConfigMap', 'set-data', { data: { 'a.conf': 'x', b: '' } }), NS);
    expect(plan.objectPath).toBe('/api/v1/namespaces/seb-prod/configmaps/web');
    expect(plan.writePath).toBe(plan.objectPath);
    expect(plan.shape).toBe('patch core/configmaps seb-prod/web');
    expect(plan.project({ metadata: {}, binaryData: { z: 'AA==' } })).toEqual({ data: {} });
    expect((writeRequest(plan, '1').body as JsonValue[])[1]).toEqual({ op: 'add', path: '/data', value: { 'a.conf': 'x', b: '' } });
  });

  it('plans a NetworkPolicy set-ingress, digesting what decides the rules’ meaning', () => {
    const ingress: JsonValue = [{ from: [{ podSelector: { matchLabels: { app: 'a' } } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 80 }, { port: 'http' }] }];
    const plan = planMutation(contract('NetworkPolicy', 'set-ingress', { ingress }), NS);
    expect(plan.rule.apiGroup).toBe('networking.k8s.io');
    expect(plan.project({ spec: { podSelector: { matchLabels: { app: 'web' } }, egress: [{}] } })).toEqual({
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: [],
      ingress: [],
    });
    expect((writeRequest(plan, '1').body as JsonValue[])[1]).toEqual({ op: 'add', path: '/spec/ingress', value: ingress });
  });

  it.each<[string, Contract]>([
    ['an unknown operation', contract('Deployment', 'delete', {})],
    ['an operation on the wrong kind', contract('ConfigMap', 'scale', { replicas: 1 })],
    ['an unknown kind', contract('Secret', 'set-data', { data: {} })],
    ['an inherited member name as operation', contract('Deployment', 'constructor', {})],
    ['a namespace that is not protected', contract('Deployment', 'scale', { replicas: 1 }, { namespace: 'kube-system' })],
    ['an invalid object name', contract('Deployment', 'scale', { replicas: 1 }, { name: 'Web/../x' })],
    ['an extra target member', contract('Deployment', 'scale', { replicas: 1 }, { uid: 'x' })],
    ['an extra parameter', contract('Deployment', 'scale', { replicas: 1, paused: true })],
    ['a missing parameter', contract('Deployment', 'scale', {})],
    ['negative replicas', contract('Deployment', 'scale', { replicas: -1 })],
    ['fractional replicas', contract('Deployment', 'scale', { replicas: 1.5 })],
    ['replicas beyond int32', contract('Deployment', 'scale', { replicas: 2 ** 31 })],
    ['a non-string ConfigMap value', contract('ConfigMap', 'set-data', { data: { a: 1 } })],
    ['an invalid ConfigMap key', contract('ConfigMap', 'set-data', { data: { 'a/b': 'x' } })],
    ['ingress that is not a list', contract('NetworkPolicy', 'set-ingress', { ingress: {} })],
    ['an unknown ingress member', contract('NetworkPolicy', 'set-ingress', { ingress: [{ to: [] }] })],
    ['an empty peer', contract('NetworkPolicy', 'set-ingress', { ingress: [{ from: [{}] }] })],
    ['an unknown protocol', contract('NetworkPolicy', 'set-ingress', { ingress: [{ ports: [{ protocol: 'ICMP' }] }] })],
    ['a port out of range', contract('NetworkPolicy', 'set-ingress', { ingress: [{ ports: [{ port: 70000 }] }] })],
    ['an unknown selector operator', contract('NetworkPolicy', 'set-ingress', { ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'a', operator: 'Gt' }] } }] }] })],
    ['too many rules', contract('NetworkPolicy', 'set-ingress', { ingress: Array.from({ length: 65 }, () => ({})) })],
  ])('refuses %s as invalid input', (_, c) => {
    expect(() => planMutation(c, NS)).toThrow(InvalidInputError);
  });

  it('gives one shape per verb, resource and name', () => {
    const a = planMutation(contract('Deployment', 'scale', { replicas: 1 }), NS).shape;
    expect(planMutation(contract('Deployment', 'scale', { replicas: 7 }), NS).shape).toBe(a);
    expect(planMutation(contract('Deployment', 'scale', { replicas: 1 }, { name: 'api' }), NS).shape).not.toBe(a);
  });

  it('derives the grantable rules from the allowlist: patch, and nothing else', () => {
    expect(GRANTABLE_RULES).toEqual([
      { apiGroup: 'apps', resource: 'deployments', subresource: 'scale', verb: 'patch' },
      { apiGroup: '', resource: 'configmaps', verb: 'patch' },
      { apiGroup: 'networking.k8s.io', resource: 'networkpolicies', verb: 'patch' },
    ]);
  });
});
