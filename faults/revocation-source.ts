// Revocation source down: the state cluster loses its quorum (two of three
// members killed), so no linearizable read can vouch for the revocation view
// and no ledger transaction commits. Past the staleness bound every broker
// must deny (revocation_stale, or the ledger's failure): it cannot know what
// was revoked meanwhile.
import type { ClusterMember } from '../harness/targets/local/etcd-cluster.js';
import type { Fault } from './fault.js';

export function quorumLost(members: readonly ClusterMember[]): Fault {
  // A majority down: the rest cannot form a quorum.
  const victims = members.slice(0, Math.floor(members.length / 2) + 1);
  return {
    name: 'revocation-source-down',
    target: `etcd quorum (${victims.map((m) => m.name).join('+')} killed)`,
    inject: async () => void (await Promise.all(victims.map((m) => m.kill()))),
    remove: async () => void (await Promise.all(victims.map((m) => m.restart(30_000)))),
  };
}
