// Keys as the broker trusts them: imported only from JWKs whose every member
// is on an allowlist, each bound to exactly one algorithm and one `kid`.
// Rotation is a key set holding several kids; a key carried inside a token
// is never consulted.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { ALG_KEY_SHAPE, isAllowedAlg, type Alg } from './crypto-params.js';
import { InvalidInputError } from './errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from './strict-json.js';

export interface TrustedKey {
  readonly kid: string;
  readonly alg: Alg;
  readonly key: KeyObject;
}

export interface SigningKey extends TrustedKey {
  readonly publicJwk: JsonObject;
}

export type KeySet = ReadonlyMap<string, TrustedKey>;

const BARE_MEMBERS = new Set(['kty', 'crv', 'x', 'y']);
const PUBLIC_MEMBERS = new Set([...BARE_MEMBERS, 'kid', 'alg', 'use']);
const PRIVATE_MEMBERS = new Set([...PUBLIC_MEMBERS, 'd']);
/** The kids a key set accepts: the one rule, shared by the verifier and `seb sab keygen`. */
export const KID = /^[A-Za-z0-9._:-]{1,128}$/;

function checkMembers(jwk: JsonObject, allowed: ReadonlySet<string>, what: string): void {
  for (const name of Object.keys(jwk)) {
    if (!allowed.has(name)) throw new InvalidInputError(`${what}: member ${JSON.stringify(name)} is not allowed`);
  }
}

/** The key material must have exactly the shape its algorithm needs. */
function checkShape(jwk: JsonObject, alg: Alg, what: string): void {
  const shape = ALG_KEY_SHAPE[alg];
  if (jwk.kty !== shape.kty || jwk.crv !== shape.crv) throw new InvalidInputError(`${what}: ${alg} needs kty ${shape.kty} and crv ${shape.crv}`);
  if (typeof jwk.x !== 'string' || (shape.kty === 'EC') !== (typeof jwk.y === 'string')) {
    throw new InvalidInputError(`${what}: missing or extra coordinates`);
  }
}

function checkJwk(jwk: JsonValue, allowed: ReadonlySet<string>, what: string): { kid: string; alg: Alg; jwk: JsonObject } {
  if (!isJsonObject(jwk)) throw new InvalidInputError(`${what}: not a JSON object`);
  checkMembers(jwk, allowed, what);
  const { kid, alg, use } = jwk;
  if (typeof kid !== 'string' || !KID.test(kid)) throw new InvalidInputError(`${what}: kid must match ${KID.source}`);
  if (!isAllowedAlg(alg)) throw new InvalidInputError(`${what} ${kid}: alg must be one of EdDSA, ES256`);
  checkShape(jwk, alg, `${what} ${kid}`);
  if (use !== undefined && use !== 'sig') throw new InvalidInputError(`${what} ${kid}: use must be "sig"`);
  return { kid, alg, jwk };
}

function nodeJwk(jwk: JsonObject): import('node:crypto').JsonWebKey {
  const { kid: _kid, alg: _alg, use: _use, ...material } = jwk;
  return material as import('node:crypto').JsonWebKey;
}

/**
 * A bare public key (kty, crv, x, y only) for a given algorithm: the form a
 * proof of possession carries, trusted only once its thumbprint matches `cnf`.
 */
export function importBareJwk(value: JsonValue, alg: Alg, what: string): KeyObject {
  if (!isJsonObject(value)) throw new InvalidInputError(`${what}: not a JSON object`);
  checkMembers(value, BARE_MEMBERS, what);
  checkShape(value, alg, what);
  try {
    return createPublicKey({ key: nodeJwk(value), format: 'jwk' });
  } catch {
    throw new InvalidInputError(`${what}: not a valid ${alg} public key`);
  }
}

export function importPublicJwk(value: JsonValue, what = 'public key'): TrustedKey {
  const { kid, alg, jwk } = checkJwk(value, PUBLIC_MEMBERS, what);
  try {
    return { kid, alg, key: createPublicKey({ key: nodeJwk(jwk), format: 'jwk' }) };
  } catch {
    throw new InvalidInputError(`${what} ${kid}: not a valid ${alg} public key`);
  }
}

export function importPrivateJwk(value: JsonValue, what = 'private key'): SigningKey {
  const { kid, alg, jwk } = checkJwk(value, PRIVATE_MEMBERS, what);
  if (typeof jwk.d !== 'string') throw new InvalidInputError(`${what} ${kid}: no private part (d)`);
  try {
    const key = createPrivateKey({ key: nodeJwk(jwk), format: 'jwk' });
    const { d: _d, ...publicJwk } = jwk;
    return { kid, alg, key, publicJwk };
  } catch {
    throw new InvalidInputError(`${what} ${kid}: not a valid ${alg} private key`);
  }
}

/** A JWKS `{"keys":[...]}`; duplicate kids are refused rather than one silently winning. */
export function importKeySet(value: JsonValue, what = 'key set'): KeySet {
  if (!isJsonObject(value) || !Array.isArray(value.keys) || Object.keys(value).length !== 1) {
    throw new InvalidInputError(`${what}: expected {"keys": [...]}`);
  }
  const set = new Map<string, TrustedKey>();
  for (const jwk of value.keys) {
    const key = importPublicJwk(jwk, `${what} key`);
    if (set.has(key.kid)) throw new InvalidInputError(`${what}: duplicate kid ${key.kid}`);
    set.set(key.kid, key);
  }
  if (set.size === 0) throw new InvalidInputError(`${what}: no keys`);
  return set;
}
