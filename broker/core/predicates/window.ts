// Predicate 4: the validity window against the broker's clock. Edges, with
// skew s: valid from nbf - s inclusive, until exp + s exclusive (RFC 7519:
// "on or after" exp is expired). A certificate issued in the future beyond
// the skew is not yet valid. The lifetime cap does not depend on the clock.
import type { Claims } from '../certificate/claims.js';
import type { Reason } from '../reasons.js';

export function checkWindow(claims: Claims, nowMs: number, maxSkewS: number, maxLifetimeS: number): Reason | null {
  const skewMs = maxSkewS * 1000;
  if (nowMs < claims.nbf * 1000 - skewMs || nowMs < claims.iat * 1000 - skewMs) return 'not_yet_valid';
  if (nowMs >= claims.exp * 1000 + skewMs) return 'expired';
  if (claims.exp - claims.iat > maxLifetimeS) return 'lifetime_too_long';
  return null;
}
