// Process faults: SIGKILL a process, then start it again as it was. kube-apiserver
// is restarted from its own spec (same binary, flags, port and log); an etcd
// member through its cluster handle (same ports and data dir, so it rejoins
// as itself); a broker through its fleet handle (same config and record log,
// so it reconciles what the crash left open before it listens again).
import type { KubeClient } from '../broker/platforms/kubernetes/client.js';
import type { ClusterMember } from '../harness/targets/local/etcd-cluster.js';
import { ManagedProcess } from '../harness/targets/local/process.js';
import { FaultError, type BrokerUnderTest, type Fault } from './fault.js';

export interface RestartableApiserver {
  /** The process running now: the original, or the one restart() started. */
  current: ManagedProcess;
  readonly admin: KubeClient;
}

/** Fault with a process the harness now owns and must stop at the end. */
export interface OwningFault extends Fault {
  close(): Promise<void>;
}

export function killApiserver(apiserver: RestartableApiserver): OwningFault {
  let restarted: ManagedProcess | undefined;
  return {
    name: 'process-kill',
    target: 'kube-apiserver',
    async inject() {
      apiserver.current.signal('SIGKILL');
      await apiserver.current.whenExited();
    },
    async remove() {
      // Its spec waits on /readyz, as the first start did.
      restarted = await ManagedProcess.start(apiserver.current.spec);
      apiserver.current = restarted;
    },
    async close() {
      await restarted?.stop();
    },
  };
}

export function killEtcdMember(member: ClusterMember): Fault {
  return {
    name: 'process-kill',
    target: `etcd ${member.name}`,
    inject: () => member.kill(),
    remove: () => member.restart(30_000),
  };
}

/**
 * Kill a broker while it has an execution in flight (the load's own
 * requests; waits for one, up to 10 s), then restart it: the case that
 * reconciliation exists for.
 */
export function killBrokerMidExecution(broker: BrokerUnderTest, inFlight: () => number): Fault {
  return {
    name: 'process-kill-mid-execution',
    target: broker.id,
    async inject() {
      const deadline = Date.now() + 10_000;
      while (inFlight() === 0) {
        if (Date.now() > deadline) throw new FaultError('process-kill-mid-execution', `${broker.id} had no execution in flight for 10 s`);
        await new Promise((r) => setTimeout(r, 2));
      }
      await broker.kill();
    },
    remove: () => broker.restart(),
  };
}
