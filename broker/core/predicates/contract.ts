// Predicate 7: the request asks for exactly the certified contract, and the
// certificate's own contract is the one its digest names.
import type { Claims } from '../certificate/claims.js';
import type { Contract } from '../certificate/contract.js';
import { jcsDigest } from '../digest.js';
import type { Reason } from '../reasons.js';

export function checkContract(claims: Claims, requested: Contract): Reason | null {
  if (jcsDigest(requested) !== claims.cdg) return 'contract_mismatch';
  if (jcsDigest(claims.contract) !== claims.cdg) return 'contract_mismatch';
  return null;
}
