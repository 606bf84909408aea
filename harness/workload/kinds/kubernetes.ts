// The Kubernetes mutation kinds: a pool of Deployments, ConfigMaps or
// NetworkPolicies in a protected namespace, made and removed with the admin
// (break-glass) kubeconfig; contract i writes slot i % size; the direct path
// sends the same JSON Patch the broker's executor sends (operations.ts), as
// admin and without the resourceVersion precondition; the out-of-band change
// is an admin merge patch to what the projection covers, to a value no
// contract writes and no earlier change wrote.
import type { Contract } from '../../../broker/core/certificate/contract.js';
import type { JsonObject } from '../../../broker/core/strict-json.js';
import { expectStatus, type KubeClient } from '../../../broker/platforms/kubernetes/client.js';
import type { KubernetesPlan } from '../../../broker/platforms/kubernetes/operations.js';
import { createManifest, deletePath, mergePatch, objectManifest, objectPath, type MutationKind as FixtureKind } from './kubernetes-objects.js';
import type { Rng } from '../../load/rng.js';
import type { MutationKind } from '../mutation.js';
import { eachLimited, preStateThrough, SETUP_CONCURRENCY, slotOf, type Pool, type StateReader } from './shared.js';

export interface KubernetesKindContext {
  /** The standing credential: setup, the direct path, out-of-band changes. */
  readonly admin: KubeClient;
  /** The broker's identity (its adapter): plans contracts and reads what the SAB certifies. */
  readonly reader: StateReader;
}

export interface KubernetesPoolOptions {
  /** A protected namespace of the target. */
  readonly namespace: string;
  readonly pool: Pool;
}

interface Spec {
  readonly name: 'deployment-scale' | 'configmap-data' | 'networkpolicy-ingress';
  readonly fixture: FixtureKind;
  readonly kind: 'Deployment' | 'ConfigMap' | 'NetworkPolicy';
  /** Short: names are prefix-tag-slot, and a Deployment's name is also a label value (63 characters). */
  readonly prefix: string;
  readonly parameters: (i: number, rng: Rng) => JsonObject;
  /** The n-th out-of-band change: outside the range contracts write, distinct per n. */
  readonly outOfBand: (n: number) => JsonObject;
}

const SPECS: readonly Spec[] = [
  {
    name: 'deployment-scale',
    fixture: 'scale',
    kind: 'Deployment',
    prefix: 'dep',
    parameters: (_i, rng) => ({ replicas: 1 + Math.floor(rng() * 50) }),
    outOfBand: (n) => ({ spec: { replicas: 1000 + n } }),
  },
  {
    name: 'configmap-data',
    fixture: 'set-data',
    kind: 'ConfigMap',
    prefix: 'cm',
    parameters: (i, rng) => ({ data: { mode: `value-${i}`, weight: String(Math.floor(rng() * 100)) } }),
    outOfBand: (n) => ({ data: { mode: `out-of-band-${n}` } }),
  },
  {
    name: 'networkpolicy-ingress',
    fixture: 'set-ingress',
    kind: 'NetworkPolicy',
    prefix: 'np',
    // Contracts open ports 1024 to 61023; out-of-band changes open 1 to 1023 (distinct for 1023 changes in a row).
    parameters: (i) => ({ ingress: [{ ports: [{ protocol: 'TCP', port: 1024 + (i % 60_000) }] }] }),
    outOfBand: (n) => ({ spec: { ingress: [{ ports: [{ protocol: 'TCP', port: 1 + (n % 1023) }] }] } }),
  },
];

function kubernetesKind(spec: Spec, o: KubernetesPoolOptions): MutationKind<KubernetesKindContext> {
  const name = (slot: number) => `${spec.prefix}-${o.pool.tag}-${slot}`;
  const paths = Array.from({ length: o.pool.size }, (_, k) => objectPath(spec.fixture, o.namespace, name(k)));
  const pathOf = (contract: Contract) => objectPath(spec.fixture, o.namespace, contract.target.name as string);
  let changes = 0;
  return {
    name: spec.name,
    platform: 'kubernetes',
    async prepare(ctx) {
      await eachLimited(paths, SETUP_CONCURRENCY, async (path, k) => {
        // Whatever an interrupted run left under the same name is replaced, not reused.
        await deletePath(ctx.admin, path);
        await createManifest(ctx.admin, path, objectManifest(spec.fixture, o.namespace, name(k)));
      });
    },
    contract: (i, rng) => ({
      platform: 'kubernetes',
      target: { namespace: o.namespace, kind: spec.kind, name: name(slotOf(i, o.pool)) },
      operation: spec.fixture,
      parameters: spec.parameters(i, rng),
    }),
    preState: (contract, ctx) => preStateThrough(ctx.reader, contract),
    async directCall(contract, ctx) {
      const plan = ctx.reader.plan(contract) as KubernetesPlan;
      const response = await ctx.admin.request('PATCH', plan.writePath, { body: [...plan.patch], contentType: 'application/json-patch+json' });
      expectStatus(response, [200], `direct ${spec.fixture} of ${plan.objectPath}`);
    },
    outOfBand: (contract, ctx) => mergePatch(ctx.admin, pathOf(contract), spec.outOfBand(changes++)),
    async cleanup(ctx) {
      await eachLimited(paths, SETUP_CONCURRENCY, (path) => deletePath(ctx.admin, path));
    },
  };
}

/** The three kinds over one pool of targets each (one workload's). */
export function kubernetesKinds(o: KubernetesPoolOptions): MutationKind<KubernetesKindContext>[] {
  return SPECS.map((spec) => kubernetesKind(spec, o));
}
