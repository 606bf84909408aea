// Every fault event of the shipped matrix is carried out by a fault module,
// with the flags the bench reads (outage, expected denial, hold, quiet
// broker); nothing is injected here (the faults' own *.int.test.ts do that).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/repo-root.js';
import { loadFleetScenarioFile } from '../harness/scenario/load.js';
import type { ClusterMember } from '../harness/targets/local/etcd-cluster.js';
import type { BrokerUnderTest } from './fault.js';
import { faultStep, type FaultContext, type FaultEvent } from './from-event.js';
import type { ToxiproxyServer } from './network.js';
import type { OwningFault } from './process.js';

const member = (name: string) => ({ name }) as ClusterMember;
const broker = (id: string) => ({ id, recordLog: `/nowhere/${id}.db` }) as BrokerUnderTest;
const apiserver = { name: 'process-kill', target: 'kube-apiserver' } as OwningFault;
const ctx: FaultContext = {
  toxiproxy: {} as ToxiproxyServer,
  etcdMembers: [member('state0'), member('state1'), member('state2')],
  brokers: [broker('seb-1'), broker('seb-2'), broker('seb-3')],
  apiserver,
  inFlight: () => 0,
};
const events = loadFleetScenarioFile(join(REPO_ROOT, 'scenarios/faults/matrix.yaml')).scenario.events as FaultEvent[];
const step = (fault: FaultEvent['fault'], on: string, more: Partial<FaultEvent> = {}) => faultStep({ kind: 'fault', fault, on, ...more }, ctx, 4);

describe('faultStep', () => {
  it('carries out every event of the shipped matrix, on what the event names', () => {
    const steps = events.map((e) => faultStep(e, ctx, 4));
    expect(steps.map((s) => `${s.fault.name} ${s.fault.target}`)).toContain('network-reset_peer kube-apiserver');
    expect(steps.map((s) => s.fault.target)).toEqual(
      expect.arrayContaining(['kube-apiserver', 'etcd', 'etcd state2', 'seb-1', 'seb-2', 'seb-3']),
    );
    expect(steps.every((s) => (s.holdMs ?? 0) >= 4000)).toBe(true);
  });

  it('an etcd outage (not latency or bandwidth) and a lost quorum cut the revocation source: outage, revocation_stale', () => {
    expect(step('network-down', 'etcd')).toMatchObject({ outage: true, expect: 'revocation_stale' });
    expect(step('network-latency', 'etcd')).toMatchObject({ outage: false });
    expect(step('network-latency', 'etcd').expect).toBeUndefined();
    expect(step('network-down', 'kube-apiserver').outage).toBe(false);
    expect(step('revocation-source-down', 'etcd')).toMatchObject({ outage: true, expect: 'revocation_stale' });
  });

  it('takes the event\'s hold over the scenario\'s, the member and broker it names, and the kube-apiserver the bench owns', () => {
    const records = step('records-unwritable', 'seb-3', { hold_s: 12 });
    expect(records).toMatchObject({ holdMs: 12_000, quiet: 'seb-3', expect: 'audit_unavailable' });
    expect(records.fault.target).toBe('seb-3');
    expect(step('process-kill', 'etcd-member-1').fault.target).toBe('etcd state0');
    expect(step('process-kill', 'kube-apiserver').fault).toBe(apiserver);
    expect(step('clock-skew', 'seb-2', { offset_s: -45 })).toMatchObject({ expect: 'not_yet_valid', holdMs: 4000 });
    expect(step('clock-skew', 'seb-2', { offset_s: 45 }).expect).toBeUndefined();
  });

  it('fails with the fault named when the event names a broker or member the fleet does not have', () => {
    expect(() => step('clock-skew', 'seb-9', { offset_s: -45 })).toThrow(/^fault clock-skew: no broker seb-9 in the fleet$/);
    expect(() => step('process-kill', 'etcd-member-7')).toThrow(/^fault process-kill: no etcd-member-7 in the cluster$/);
  });
});
