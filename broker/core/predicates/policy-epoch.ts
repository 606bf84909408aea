// Predicate 5: admission was decided under the policy the broker enforces now.
import type { Claims } from '../certificate/claims.js';
import type { Reason } from '../reasons.js';

export function checkPolicyEpoch(claims: Claims, policyEpoch: number): Reason | null {
  return claims.pep === policyEpoch ? null : 'policy_epoch_mismatch';
}
