// What the predicates judge against: the broker's fixed policy and its
// current state. Time comes in as an argument; nothing here reads a clock.
import type { Contract } from '../certificate/contract.js';
import type { IssuerTrust } from '../issuer-keys.js';
import type { AudiencePolicy } from './issuer.js';

export interface VerifierPolicy extends AudiencePolicy {
  /** The trusted issuers, each with its own keys. */
  readonly trust: IssuerTrust;
  /** Longest certificate lifetime (exp - iat) accepted, in seconds. */
  readonly maxLifetimeS: number;
  /** Clock skew tolerated at each edge of the window, in seconds. */
  readonly maxSkewS: number;
  /**
   * The platform's own schema for contracts (predicate 1): throws
   * InvalidInputError for a contract no adapter can plan. Offline there is none.
   */
  readonly contractSchema?: (contract: Contract) => void;
}

export interface RevocationView {
  /** Certificates whose `rep` is below this are revoked. */
  readonly floor: number;
  readonly revoked: ReadonlySet<string>;
  /** When this view was last known to be current (unix ms). */
  readonly asOfMs: number;
  /** Older than this, the view is stale and the broker denies. */
  readonly maxAgeMs: number;
}

export interface BrokerState {
  readonly policyEpoch: number;
  readonly revocation: RevocationView;
}

export const DEFAULT_MAX_LIFETIME_S = 3600;
export const DEFAULT_MAX_SKEW_S = 30;
/** The most skew a broker may tolerate: a larger one would stretch every window and let a proof of possession live that long. */
export const MAX_SKEW_S = 300;
export const DEFAULT_REVOCATION_MAX_AGE_MS = 2000;
