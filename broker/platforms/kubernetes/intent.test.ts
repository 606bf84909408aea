// Reconciliation's question to the adapter: does the live projection show
// the certified mutation?
import { describe, expect, it } from 'vitest';
import type { Contract } from '../../core/certificate/contract.js';
import { KubernetesAdapter } from './adapter.js';
import type { KubeClient } from './client.js';

// No request is made: matchesIntent only compares values.
const adapter = new KubernetesAdapter({} as KubeClient, { protectedNamespaces: ['seb-prod'] });
const contract = (kind: string, name: string, operation: string, parameters: Contract['parameters']): Contract => ({
  platform: 'kubernetes',
  target: { namespace: 'seb-prod', kind, name },
  operation,
  parameters,
});

describe('KubernetesAdapter.matchesIntent', () => {
  it.each([
    ['scale', contract('Deployment', 'web', 'scale', { replicas: 3 }), { replicas: 3 }, { replicas: 2 }],
    ['set-data', contract('ConfigMap', 'flags', 'set-data', { data: { a: '1', b: '2' } }), { data: { b: '2', a: '1' } }, { data: { a: '1' } }],
    [
      'set-ingress',
      contract('NetworkPolicy', 'np', 'set-ingress', { ingress: [{ ports: [{ port: 80, protocol: 'TCP' }] }] }),
      { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'TCP', port: 80 }] }] },
      { podSelector: {}, policyTypes: ['Ingress'], ingress: [] },
    ],
  ])('%s: true for the intended state, false for another', (_, c, intended, other) => {
    const plan = adapter.plan(c);
    expect(adapter.matchesIntent(plan, { state: intended })).toBe(true);
    expect(adapter.matchesIntent(plan, { state: other })).toBe(false);
  });
});
