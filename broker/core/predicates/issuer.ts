// Predicate 3: the certificate was issued by an issuer we trust, with that
// issuer's own key, for us, and for no broker that keeps a separate ledger.
import type { Claims } from '../certificate/claims.js';
import type { IssuerTrust } from '../issuer-keys.js';
import type { Reason } from '../reasons.js';

export interface AudiencePolicy {
  readonly audience: string;
  /**
   * Other audiences whose brokers spend uses in this broker's replay ledger.
   * Single use holds per ledger: a certificate that also names a broker with
   * its own ledger could be executed once by each, so it is refused.
   */
  readonly sharedLedgerAudiences: ReadonlySet<string>;
}

/** `kid` is the key that verified the signature (predicate 2 passed). */
export function checkIssuer(claims: Claims, kid: string, trust: IssuerTrust, audiences: AudiencePolicy): Reason | null {
  if (!trust.issuers.has(claims.iss) || trust.keys.get(kid)?.issuer !== claims.iss) return 'wrong_issuer';
  if (!claims.aud.includes(audiences.audience)) return 'wrong_audience';
  if (!claims.aud.every((aud) => aud === audiences.audience || audiences.sharedLedgerAudiences.has(aud))) return 'wrong_audience';
  return null;
}
