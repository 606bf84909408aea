// End to end on the local Kubernetes target: a certificate from the SAB, the
// Broker with its SQLite ledger and record log, the Kubernetes adapter. Each
// mutation kind runs several times per executor mode, timed per phase, next to
// the same write sent directly with the admin's standing credential in the
// same run (the baseline of docs/design.md section 3). Numbers are printed, not
// asserted: this machine is shared and small.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshState, makeIssuer, requestBytes, type Issuer } from '../../../harness/sample-certificates.js';
import { clientFor, createObject, MUTATION_KINDS, removeObject, targetObject, type MutationKind, type TargetObject } from '../../../harness/workload/kinds/kubernetes-objects.js';
import { startLocalKubernetes, type LocalKubernetes } from '../../../harness/targets/local/kubernetes-target.js';
import { certifyNow } from '../../../harness/fixtures/certify-now.js';
import { preStateThrough } from '../../../harness/workload/kinds/shared.js';
import { Broker, PHASES, type PhaseTimings } from '../../broker.js';
import type { Contract } from '../../core/certificate/contract.js';
import { importKeySet, importPrivateJwk } from '../../core/keys.js';
import type { JsonObject } from '../../core/strict-json.js';
import { auditLog } from '../../core/records/audit.js';
import { generateSigningKey } from '../../sab/keygen.js';
import { SqliteLedger } from '../../stores/sqlite/ledger.js';
import { SqliteRecordLog } from '../../stores/sqlite/record-log.js';
import { openLogForAudit } from '../../stores/sqlite/record-log-reader.js';
import { KubernetesAdapter } from './adapter.js';
import { expectStatus, type KubeClient } from './client.js';
import type { ExecutorMode } from './executor.js';

const RUNS = 7;

let dir: string;
let k8s: LocalKubernetes;
let admin: KubeClient;
let issuer: Issuer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-k8s-broker-'));
  k8s = await startLocalKubernetes(dir);
  admin = clientFor(k8s.info.kubeconfigs.admin);
  issuer = await makeIssuer();
});

afterAll(async () => {
  admin?.close();
  await k8s?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** The contract of run `i`: the parameters alternate, so every run really changes the object. */
function contractFor(o: TargetObject, i: number): Contract {
  const parameters: JsonObject =
    o.kind === 'scale' ? { replicas: 3 + (i % 2) } : o.kind === 'set-data' ? { data: { mode: `run-${i}` } } : { ingress: [{ ports: [{ protocol: 'TCP', port: 8000 + i }] }] };
  return { ...o.contract, parameters };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

describe.each<ExecutorMode>(['ephemeral', 'pooled', 'impersonation'])('Broker on local Kubernetes (%s executors)', (mode) => {
  it('executes each mutation kind end to end, records it, and is timed against the direct write', async () => {
    const runDir = mkdtempSync(join(dir, `${mode}-`));
    const brokerKey = importPrivateJwk((await generateSigningKey('EdDSA', 'broker-1')).privateJwk);
    const ledger = new SqliteLedger(join(runDir, 'ledger.db'));
    const log = SqliteRecordLog.open(join(runDir, 'log.db'), { broker: 'broker-1', key: brokerKey });
    const adapter = KubernetesAdapter.fromKubeconfig(k8s.info.kubeconfigs.broker, {
      protectedNamespaces: k8s.info.protectedNamespaces,
      executorNamespace: k8s.info.executorNamespace,
      audience: k8s.info.executorAudience,
      mode,
    });
    const broker = new Broker({ id: 'broker-1', policy: issuer.policy, state: () => freshState(Date.now()), ledger, log, platforms: [adapter] });
    const objects = MUTATION_KINDS.map((kind) => targetObject(kind, k8s.info.protectedNamespaces[0] as string));
    const rows: string[] = [];
    try {
      await Promise.all(objects.map((o) => createObject(admin, o)));
      for (const o of objects) {
        const phases: PhaseTimings[] = [];
        const totals: number[] = [];
        const direct: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const contract = contractFor(o, i);
          // The SAB certifies what it reads through the same projection.
          const certificate = await certifyNow(issuer, contract, await preStateThrough(adapter, contract));
          const t0 = performance.now();
          const result = await broker.execute(requestBytes(certificate, contract));
          totals.push(performance.now() - t0);
          expect(result, JSON.stringify(result)).toMatchObject({ decision: { decision: 'allow' }, outcome: 'succeeded' });
          phases.push(result.phases);

          // Baseline: the same write with a standing credential, unconditioned, as `kubectl scale` or `kubectl patch` sends it.
          const plan = adapter.plan(contractFor(o, i + 1));
          const t1 = performance.now();
          expectStatus(await admin.request('PATCH', plan.writePath, { body: [...plan.patch], contentType: 'application/json-patch+json' }), [200], 'direct write');
          direct.push(performance.now() - t1);
        }
        rows.push(report(mode, o.kind, phases, totals, direct));
      }
      console.log(`[timing] ${RUNS} runs per kind; first run (cold) / median of all runs, ms\n${rows.join('\n')}`);

      const reader = openLogForAudit(join(runDir, 'log.db'));
      try {
        const audit = auditLog({ broker: reader.broker, keys: importKeySet(reader.keys), entries: reader.entries(), treeHeads: reader.treeHeads() });
        // Decision, intent and outcome per execution.
        expect(audit).toMatchObject({ ok: true, size: 3 * RUNS * MUTATION_KINDS.length });
      } finally {
        reader.close();
      }
    } finally {
      await Promise.all(objects.map((o) => removeObject(admin, o)));
      adapter.close();
      await ledger.close();
      await log.close();
    }
  });
});

function report(mode: ExecutorMode, kind: MutationKind, phases: readonly PhaseTimings[], totals: readonly number[], direct: readonly number[]): string {
  const fmt = (xs: readonly number[]) => `${(xs[0] as number).toFixed(1)}/${median(xs).toFixed(1)}`;
  const perPhase = PHASES.map((p) => `${p} ${fmt(phases.map((x) => x[p] ?? 0))}`).join(', ');
  const overhead = median(totals) - median(direct);
  return `  ${mode} ${kind}: brokered ${fmt(totals)} [${perPhase}] | direct ${fmt(direct)} | overhead ${overhead.toFixed(1)} ms (x${(median(totals) / median(direct)).toFixed(1)})`;
}
