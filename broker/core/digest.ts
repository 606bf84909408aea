// Digests that certificates bind: the contract (`cdg`) and the expected live
// state (`pre.digest`). Both are base64url(SHA-256(JCS(value))).
import { createHash } from 'node:crypto';
import { encodeBase64url } from './base64url.js';
import { DIGEST_ALG } from './crypto-params.js';
import { canonicalize } from './jcs.js';
import type { JsonValue } from './strict-json.js';

export function sha256(data: string | Uint8Array): Buffer {
  return createHash(DIGEST_ALG).update(data).digest();
}

export function jcsDigest(value: JsonValue): string {
  return digestOfCanonical(canonicalize(value));
}

/** The digest of a value already in its JCS form. */
export function digestOfCanonical(canonical: string): string {
  return encodeBase64url(sha256(canonical));
}
