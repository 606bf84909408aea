// Predicate 7: the request asks for exactly the certified contract, and the
// certificate's own contract is the one its digest names. Equal canonical
// forms have equal digests, so one hash serves both checks.
import type { Claims } from '../certificate/claims.js';
import type { Contract } from '../certificate/contract.js';
import { digestOfCanonical } from '../digest.js';
import { canonicalize } from '../jcs.js';
import type { Reason } from '../reasons.js';

export function checkContract(claims: Claims, requested: Contract): Reason | null {
  const canonical = canonicalize(requested);
  if (canonical !== canonicalize(claims.contract)) return 'contract_mismatch';
  return digestOfCanonical(canonical) === claims.cdg ? null : 'contract_mismatch';
}
