// Predicate 2: algorithm allowlist, key lookup by kid, signature.
import { isAllowedAlg } from '../crypto-params.js';
import { verifySignature } from '../jws.js';
import type { KeySet } from '../keys.js';
import type { Reason } from '../reasons.js';
import type { Certificate } from '../certificate/certificate.js';

export function checkSignature(cert: Certificate, keys: KeySet): Reason | null {
  if (!isAllowedAlg(cert.alg)) return 'alg_not_allowed';
  const key = keys.get(cert.kid);
  if (key === undefined) return 'unknown_key';
  // Each key is bound to one algorithm: an EdDSA key never verifies ES256 and back.
  if (key.alg !== cert.alg) return 'alg_not_allowed';
  return verifySignature(key.alg, key.key, cert.signingInput, cert.signature) ? null : 'bad_signature';
}
