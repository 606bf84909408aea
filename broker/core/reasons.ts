// The closed set of denial reasons (docs/design.md section 2.2), in predicate order.
// Nothing outside this list is ever returned as a reason.
export const REASONS = [
  'malformed',
  'alg_not_allowed',
  'unknown_key',
  'bad_signature',
  'wrong_issuer',
  'wrong_audience',
  'not_yet_valid',
  'expired',
  'lifetime_too_long',
  'policy_epoch_mismatch',
  'revoked',
  'revocation_stale',
  'contract_mismatch',
  'pop_invalid',
  'replayed',
  // Not in the paper's list: the ledger could not say whether the use is spent.
  'ledger_unavailable',
  'drift',
  // Not in the paper's list: the live state could not be read, so drift could not be ruled out.
  'state_unavailable',
  'audit_unavailable',
  'mint_failed',
  'invoke_failed',
  'precondition_failed',
] as const;

export type Reason = (typeof REASONS)[number];

/**
 * Reasons given before the certificate's signature verified: anyone can send
 * a request that ends here, so the broker counts these denials (a tally
 * record per interval) instead of signing a record for each.
 */
export const UNAUTHENTICATED_REASONS: readonly Reason[] = REASONS.slice(0, REASONS.indexOf('wrong_issuer'));

/** Reasons the offline predicates (1 to 9, plus drift against a given state) can return. */
export const OFFLINE_REASONS: readonly Reason[] = REASONS.slice(0, REASONS.indexOf('drift') + 1);

export function isReason(value: unknown): value is Reason {
  return typeof value === 'string' && (REASONS as readonly string[]).includes(value);
}

/** A denial is a value, not an exception. */
export interface Allow {
  readonly decision: 'allow';
  readonly reason: null;
  readonly jti: string;
}

export interface Deny {
  readonly decision: 'deny';
  readonly reason: Reason;
  /** As the request claimed it; unauthenticated when the denial came before the signature passed. */
  readonly jti: string | null;
}

export type Decision = Allow | Deny;

export function allow(jti: string): Allow {
  return { decision: 'allow', reason: null, jti };
}

export function deny(reason: Reason, jti: string | null = null): Deny {
  return { decision: 'deny', reason, jti };
}
