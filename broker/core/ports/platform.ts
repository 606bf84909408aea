// The platform port: what the broker needs from Kubernetes, AWS or any other
// control plane. Each adapter owns an allowlist of operations; a contract it
// cannot plan is malformed. The split follows Vault's secrets engines: the
// plan (pure), the live state, the credential, the call, the cleanup.
import type { Claims } from '../certificate/claims.js';
import type { Contract, PlatformName } from '../certificate/contract.js';
import type { LiveState } from '../predicates/drift.js';
import type { JsonObject } from '../strict-json.js';

/** The one mutation a contract names, resolved by the adapter: what to read, what to grant, what to call. */
export interface MutationPlan {
  readonly platform: PlatformName;
  /** A stable name of the permission shape (verb, resource, name): pooled executors are keyed by it. */
  readonly shape: string;
  readonly contract: Contract;
}

/** A short-lived credential scoped to one plan. `expiresAt` is unix ms. */
export interface ScopedIdentity {
  readonly platform: PlatformName;
  readonly principal: string;
  readonly expiresAt: number;
  /** Adapter-specific handle used to invoke and to revoke (token, session credentials, bound object). */
  readonly handle: unknown;
}

export type InvokeResult =
  | { readonly status: 'succeeded'; readonly detail?: JsonObject }
  /** The platform refused because the target changed after the drift check. */
  | { readonly status: 'precondition_failed'; readonly detail: string }
  | { readonly status: 'failed'; readonly detail: string };

/**
 * The names of the objects a mint will create, chosen before it so the broker
 * can sign them into the intent record: after a crash, reconciliation deletes
 * whatever of them is left (as Vault's write-ahead log does). JSON the
 * adapter alone reads back.
 */
export type Reservation = JsonObject;

/** Cached reads answered from the adapter's memory, and those that fell back to a request to the platform. */
export interface CachedReads {
  readonly cache: number;
  readonly fallback: number;
}

export interface PlatformAdapter<P extends MutationPlan = MutationPlan> {
  readonly name: PlatformName;
  /** Pure: check the contract against the allowlist; throws InvalidInputError when it names no known mutation. */
  plan(contract: Contract): P;
  readLiveState(plan: P): Promise<LiveState>;
  /**
   * A cheaper read that may lag the platform (its cache), for the drift check
   * only. Only for a platform whose write is conditioned on the version read,
   * so a stale read can cost a refused write, never an unchecked one. A
   * mismatch is confirmed with readLiveState before it denies; reconciliation
   * never uses it.
   */
  readCachedLiveState?(plan: P): Promise<LiveState>;
  /** How readCachedLiveState was answered so far: for /metrics, so a run shows whether the drift read left the request's path. */
  cachedReads?(): CachedReads;
  /** For an adapter whose mint creates platform objects: name them now; mint then creates exactly these. */
  reserve?(plan: P): Reservation | undefined;
  mint(plan: P, claims: Claims, reservation?: Reservation): Promise<ScopedIdentity>;
  /** Delete what a mint under `reservation` may have left; gone already is fine. Throws InvalidInputError for a reservation it did not make. */
  retireReserved?(reservation: Reservation): Promise<void>;
  /** Perform the mutation as `identity`, conditioned on `live.version` where the platform has preconditions. */
  invoke(plan: P, identity: ScopedIdentity, live: LiveState): Promise<InvokeResult>;
  /** End the identity where the platform lets it be ended; never throws for an identity already gone. */
  retire(identity: ScopedIdentity): Promise<void>;
}
