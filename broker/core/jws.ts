// Compact JWS, reduced to what this project signs and verifies: a protected
// header of allowlisted members, a payload, one signature by one known key.
// Verification is node:crypto directly (checked against Project Wycheproof
// vectors and against jose in tests); it is on the broker's measured path.
import { sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { decodeBase64url, encodeBase64url } from './base64url.js';
import { ALG_DIGEST, type Alg } from './crypto-params.js';
import { InvalidInputError } from './errors.js';
import type { SigningKey } from './keys.js';
import { decodeUtf8, isJsonObject, parseStrictJson, type JsonObject } from './strict-json.js';

export interface CompactParts {
  readonly header: JsonObject;
  readonly payloadBytes: Buffer;
  readonly signingInput: string;
  readonly signature: Buffer;
}

const SIGNATURE_BYTES: Readonly<Record<Alg, number>> = { EdDSA: 64, ES256: 64 };

/** Split and decode a compact JWS; only structure is checked here, nothing is trusted. */
export function splitCompact(token: string, what: string, maxBytes: number): CompactParts {
  if (token.length > maxBytes) throw new InvalidInputError(`${what}: larger than ${maxBytes} bytes`);
  const parts = token.split('.');
  if (parts.length !== 3) throw new InvalidInputError(`${what}: not a compact JWS`);
  const [h, p, s] = parts as [string, string, string];
  const header = parseStrictJson(decodeUtf8(decodeBase64url(h, `${what} header`), `${what} header`), `${what} header`);
  if (!isJsonObject(header)) throw new InvalidInputError(`${what} header: not a JSON object`);
  return {
    header,
    payloadBytes: decodeBase64url(p, `${what} payload`),
    signingInput: `${h}.${p}`,
    signature: decodeBase64url(s, `${what} signature`),
  };
}

/** Raw signature check; an ES256 signature is the 64-byte r||s form (RFC 7518 3.4). */
export function verifySignature(alg: Alg, key: KeyObject, signingInput: string | Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_BYTES[alg]) return false;
  const data = typeof signingInput === 'string' ? Buffer.from(signingInput, 'ascii') : signingInput;
  try {
    return alg === 'EdDSA'
      ? cryptoVerify(null, data, key, signature)
      : cryptoVerify(ALG_DIGEST[alg], data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

export function signBytes(key: SigningKey, data: Uint8Array): Buffer {
  return key.alg === 'EdDSA'
    ? cryptoSign(null, data, key.key)
    : cryptoSign(ALG_DIGEST[key.alg], data, { key: key.key, dsaEncoding: 'ieee-p1363' });
}

/** Sign a payload as compact JWS with header {alg, typ, kid}. */
export function signCompact(key: SigningKey, typ: string, payload: string | Uint8Array): string {
  return signCompactWithHeader(key, { typ, kid: key.kid }, payload);
}

/** Sign with the key's alg and the given further header members. */
export function signCompactWithHeader(key: SigningKey, header: JsonObject, payload: string | Uint8Array): string {
  const encodedHeader = encodeBase64url(Buffer.from(JSON.stringify({ alg: key.alg, ...header })));
  const body = encodeBase64url(typeof payload === 'string' ? Buffer.from(payload) : payload);
  const signingInput = `${encodedHeader}.${body}`;
  return `${signingInput}.${encodeBase64url(signBytes(key, Buffer.from(signingInput, 'ascii')))}`;
}
