// RFC 7638 JWK thumbprint: SHA-256 over the required members only, in
// lexicographic order without whitespace, which is exactly their JCS form.
import { encodeBase64url } from './base64url.js';
import { sha256 } from './digest.js';
import { canonicalize } from './jcs.js';
import type { JsonObject } from './strict-json.js';

const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  OKP: ['crv', 'kty', 'x'],
  EC: ['crv', 'kty', 'x', 'y'],
};

/** Thumbprint of a public JWK whose shape was already checked; undefined for other key types. */
export function jwkThumbprint(jwk: JsonObject): string | undefined {
  const names = typeof jwk.kty === 'string' ? REQUIRED[jwk.kty] : undefined;
  if (names === undefined) return undefined;
  const required: JsonObject = {};
  for (const name of names) {
    const v = jwk[name];
    if (typeof v !== 'string') return undefined;
    required[name] = v;
  }
  return encodeBase64url(sha256(canonicalize(required)));
}
