// A scenario's `fault` event (scenarios/faults/*.yaml, checked by
// harness/scenario/fleet-schema.ts) as the fault that carries it out, with
// what the bench needs to know of it: whether it cuts the brokers off from
// the revocation source (nothing may execute past the bound), the denial
// that shows it took effect, how long it is held, and a broker the storm
// leaves alone. The bench brackets each with health checks.
import type { ClusterMember } from '../harness/targets/local/etcd-cluster.js';
import type { FleetEvent } from '../harness/scenario/fleet-schema.js';
import { clockSkew } from './clock.js';
import { FaultError, type BrokerUnderTest, type Fault } from './fault.js';
import { networkFault, type NetworkFaultKind, type ToxiproxyServer } from './network.js';
import { killBrokerMidExecution, killEtcdMember, type OwningFault } from './process.js';
import { recordLogUnwritable } from './records.js';
import { quorumLost } from './revocation-source.js';

export type FaultEvent = Extract<FleetEvent, { kind: 'fault' }>;

export interface Step {
  readonly fault: Fault;
  /** The fault cuts the brokers off from the revocation source: nothing may execute past the bound. */
  readonly outage: boolean;
  /** The denial that shows the fault took effect; printed with how often it was seen. */
  readonly expect?: string;
  readonly holdMs?: number;
  /** A broker the storm leaves alone during this step (its first request after injection must be the load's). */
  readonly quiet?: string;
}

/** What the faults reach: the fleet's proxies, etcd members and brokers, and kube-apiserver (owned by the bench, which closes it). */
export interface FaultContext {
  readonly toxiproxy: ToxiproxyServer;
  readonly etcdMembers: readonly ClusterMember[];
  readonly brokers: readonly BrokerUnderTest[];
  readonly apiserver: OwningFault;
  inFlight(broker: string): number;
}

const NETWORK: Readonly<Record<string, NetworkFaultKind>> = {
  'network-latency': 'latency',
  'network-timeout': 'timeout',
  'network-reset-peer': 'reset_peer',
  'network-bandwidth': 'bandwidth',
  'network-down': 'down',
};

/** The step for `event`; held for its own hold_s, else the scenario's `holdS`. */
export function faultStep(event: FaultEvent, ctx: FaultContext, holdS: number): Step {
  const holdMs = { holdMs: (event.hold_s ?? holdS) * 1000 };
  const broker = () => {
    const b = ctx.brokers.find((x) => x.id === event.on);
    if (b === undefined) throw new FaultError(event.fault, `no broker ${event.on} in the fleet`);
    return b;
  };
  const network = NETWORK[event.fault];
  if (network !== undefined) {
    const outage = event.on === 'etcd' && network !== 'latency' && network !== 'bandwidth';
    return { fault: networkFault(ctx.toxiproxy, event.on, network), outage, ...(outage ? { expect: 'revocation_stale' } : {}), ...holdMs };
  }
  switch (event.fault) {
    case 'process-kill': {
      if (event.on === 'kube-apiserver') return { fault: ctx.apiserver, outage: false, ...holdMs };
      const member = ctx.etcdMembers[Number(/^etcd-member-(\d+)$/.exec(event.on)?.[1]) - 1];
      if (member === undefined) throw new FaultError(event.fault, `no ${event.on} in the cluster`);
      return { fault: killEtcdMember(member), outage: false, ...holdMs };
    }
    case 'process-kill-mid-execution': {
      const b = broker();
      return { fault: killBrokerMidExecution(b, () => ctx.inFlight(b.id)), outage: false, ...holdMs };
    }
    case 'clock-skew': {
      const offsetMs = (event.offset_s ?? 0) * 1000;
      // A broker behind: fresh certificates are not yet valid there (once past maxSkewS).
      return { fault: clockSkew(broker(), offsetMs), outage: false, ...(offsetMs < 0 ? { expect: 'not_yet_valid' } : {}), ...holdMs };
    }
    case 'records-unwritable': {
      const b = broker();
      return { fault: recordLogUnwritable(b, () => ctx.inFlight(b.id)), outage: false, expect: 'audit_unavailable', quiet: b.id, ...holdMs };
    }
    case 'revocation-source-down':
      return { fault: quorumLost(ctx.etcdMembers), outage: true, expect: 'revocation_stale', ...holdMs };
    default:
      throw new FaultError(event.fault, 'no fault module carries it out');
  }
}
