// Predicate 6: revoked by floor or by id, and a view too old to trust.
import type { Claims } from '../certificate/claims.js';
import type { Reason } from '../reasons.js';
import type { RevocationView } from './context.js';

export function checkRevocation(claims: Claims, view: RevocationView, nowMs: number): Reason | null {
  if (claims.rep < view.floor || view.revoked.has(claims.jti)) return 'revoked';
  if (nowMs - view.asOfMs > view.maxAgeMs) return 'revocation_stale';
  return null;
}
