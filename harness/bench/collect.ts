// The end of a fleet run: every broker stopped, started once more so that it
// reconciles whatever a crash left open (docs/design.md section 4 speaks of the state
// "after recovery"), stopped again; then the record logs, the live state and
// kube-apiserver's audit log (the executors' writes as the platform recorded
// them) are read for the validator every run goes through (run/loop.ts).
import type { FleetLoad } from '../workload/fleet/load.js';
import type { Fleet } from './fleet.js';
import { KubeClient } from '../../broker/platforms/kubernetes/client.js';
import { loadKubeconfig } from '../../broker/platforms/kubernetes/kubeconfig.js';
import { readKubernetesEvidence } from '../validate/kubernetes-audit.js';
import type { PlatformEvidence } from '../validate/platform-writes.js';
import { readRecordLog } from '../validate/record-logs.js';
import type { ValidationSources } from '../validate/run-validation.js';
import type { Revocation } from '../validate/violations.js';

/** What the validator reads besides the history; record times are moved onto the history's clock (`t0`, its start in Unix ms). */
export async function collectSources(fleet: Fleet, load: FleetLoad, revocations: readonly Revocation[], t0: number): Promise<ValidationSources> {
  for (const b of fleet.brokers) {
    await b.stop();
    await b.restart();
    await b.stop();
  }
  const records = fleet.brokers.flatMap((b) => readRecordLog(b.recordLog, t0));
  const live = (await load.liveIndices()).map((index, slot) => ({ slot, index }));
  const kube = fleet.target.kubernetes;
  let evidence: PlatformEvidence = { writes: [], coverage: [] };
  if (kube !== undefined) {
    const connection = loadKubeconfig(kube.info.kubeconfigs.admin);
    const admin = KubeClient.connect(connection, connection.credential);
    try {
      const scope = { protectedNamespaces: kube.info.protectedNamespaces, executorNamespace: kube.info.executorNamespace };
      evidence = await readKubernetesEvidence({ auditLog: kube.auditLog, scope, admin, t0 });
    } finally {
      admin.close();
    }
  }
  return { records, evidence, revocations, live };
}
