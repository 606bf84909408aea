// Predicate 3: the certificate was issued by an issuer we trust, for us.
import type { Claims } from '../certificate/claims.js';
import type { Reason } from '../reasons.js';

export function checkIssuer(claims: Claims, issuers: ReadonlySet<string>, audience: string): Reason | null {
  if (!issuers.has(claims.iss)) return 'wrong_issuer';
  if (!claims.aud.includes(audience)) return 'wrong_audience';
  return null;
}
