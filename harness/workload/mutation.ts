// Mutation kinds: the catalogue of names scenarios may use, and the shape of
// one concrete kind. The concrete kinds live with the platform adapters;
// scenario files are checked against MUTATION_KIND_NAMES, and a registry of
// implementations is checked against it again when a run starts.
import type { Coverage } from '../validate/platform-writes.js';
import type { Contract, PlatformName } from '../../broker/core/certificate/contract.js';
import { ConfigError } from '../../broker/core/errors.js';
import type { JsonValue } from '../../broker/core/strict-json.js';
import type { Rng } from '../load/rng.js';

export const MUTATION_KIND_NAMES = {
  kubernetes: ['deployment-scale', 'configmap-data', 'networkpolicy-ingress'],
  aws: ['ssm-put-parameter', 's3-put-object', 'ec2-authorize-ingress', 'dynamodb-update-item'],
} as const satisfies Readonly<Record<PlatformName, readonly string[]>>;

export type MutationKindName = (typeof MUTATION_KIND_NAMES)[PlatformName][number];

export const ALL_MUTATION_KIND_NAMES: readonly MutationKindName[] = Object.values(MUTATION_KIND_NAMES).flat();

export function platformOfMutation(name: string): PlatformName | undefined {
  for (const [platform, names] of Object.entries(MUTATION_KIND_NAMES) as [PlatformName, readonly string[]][]) {
    if (names.includes(name)) return platform;
  }
  return undefined;
}

/** The live state the SAB saw at admission; it becomes the certificate's `pre`. */
export interface PreState {
  readonly state: JsonValue;
  readonly version?: string;
}

/**
 * One kind of mutation, on one platform. `C` is whatever the kind needs to
 * reach the platform (clients with the admin and agent credentials).
 * Request i must not depend on the order requests run in: take every varying
 * value from i and rng (which is seeded per request).
 */
export interface MutationKind<C = unknown> {
  readonly name: MutationKindName;
  readonly platform: PlatformName;
  /** Create the objects the requests will touch (with the admin credential). */
  prepare?(ctx: C): Promise<void>;
  /** The contract of request i: its target and the new value it writes. */
  contract(i: number, rng: Rng): Contract;
  /** Read what the SAB reads before admitting: it becomes the certificate's `pre` (the broker treats a missing `pre` as drift). */
  preState(contract: Contract, ctx: C): Promise<PreState>;
  /** The same mutation done directly, with a standing credential: the baseline. Throws when it fails. */
  directCall(contract: Contract, ctx: C): Promise<void>;
  /** Change the contract's target behind the broker's back (the drift scenario's mutator). */
  outOfBand?(contract: Contract, ctx: C): Promise<void>;
  /** Where the platform itself keeps a record of each write (harness/validate): read before cleanup. */
  readonly platformRecords?: PlatformRecords<C>;
  cleanup?(ctx: C): Promise<void>;
}

/** A kind's writes as the platform recorded them, matched to certificates by the content each contract writes. */
export interface PlatformRecords<C> {
  readonly coverage: Coverage;
  /** Every write of the pool's targets the platform recorded since prepare, with its content as contentOf names it; `atMs` Unix ms. */
  writes(ctx: C): Promise<{ content: string; target: string; atMs: number }[]>;
  /** What a write of this contract leaves as its content (one per contract: each request writes its own value). */
  contentOf(contract: Contract, ctx: C): string;
}

/** Index concrete kinds by name, refusing names off the catalogue, on the wrong platform, or given twice. */
export function mutationRegistry<C>(kinds: readonly MutationKind<C>[]): ReadonlyMap<MutationKindName, MutationKind<C>> {
  const registry = new Map<MutationKindName, MutationKind<C>>();
  for (const kind of kinds) {
    const platform = platformOfMutation(kind.name);
    if (platform === undefined) throw new ConfigError(`mutation kind ${kind.name}`, `not in the catalogue (${ALL_MUTATION_KIND_NAMES.join(', ')})`);
    if (platform !== kind.platform) throw new ConfigError(`mutation kind ${kind.name}`, `belongs to ${platform}, not ${kind.platform}`);
    if (registry.has(kind.name)) throw new ConfigError(`mutation kind ${kind.name}`, 'registered twice');
    registry.set(kind.name, kind);
  }
  return registry;
}
