// Key pools for the fuzzer, derived from their kids: the same kid always names
// the same key, so a seed reproduces a run (ES256 signatures aside, which
// are randomized by design). Issuer keys sign certificates; agent keys sign
// proofs of possession.
import { createECDH, createHash, createPrivateKey } from 'node:crypto';
import type { Alg } from '../../broker/core/crypto-params.js';
import { importPrivateJwk, type SigningKey } from '../../broker/core/keys.js';
import type { JsonObject } from '../../broker/core/strict-json.js';

export interface PoolKey {
  readonly kid: string;
  readonly alg: Alg;
  readonly signing: SigningKey;
  /** Public JWK as a JWKS lists it: kty, crv, x, (y,) kid, alg. */
  readonly publicJwk: JsonObject;
  /** The bare private JWK (kty, crv, x, y, d): for cases that leak it where only public keys belong. */
  readonly bareJwk: JsonObject;
}

const ISSUER_KIDS: readonly (readonly [string, Alg])[] = [
  ['sab-ed-1', 'EdDSA'],
  ['sab-es-1', 'ES256'],
  ['sab-ed-2', 'EdDSA'],
  ['sab-es-2', 'ES256'],
  ['rot:2026-06.k_3', 'EdDSA'],
];
const AGENT_KIDS: readonly (readonly [string, Alg])[] = [
  ['agent-ed', 'EdDSA'],
  ['agent-es', 'ES256'],
];

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function derive(kid: string, alg: Alg): PoolKey {
  const seed = createHash('sha256').update(`seb-fuzz-key/${kid}`).digest();
  let jwk: JsonObject;
  if (alg === 'EdDSA') {
    const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    jwk = key.export({ format: 'jwk' }) as JsonObject;
  } else {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(seed);
    const point = ecdh.getPublicKey(null, 'uncompressed');
    jwk = { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url'), d: seed.toString('base64url') };
  }
  const signing = importPrivateJwk({ ...jwk, kid, alg }, `fuzz key ${kid}`);
  const { kty, crv, x, y, d } = jwk;
  const bareJwk: JsonObject = y === undefined ? { kty, crv, x, d } as JsonObject : ({ kty, crv, x, y, d } as JsonObject);
  return { kid, alg, signing, publicJwk: signing.publicJwk, bareJwk };
}

let issuers: readonly PoolKey[] | undefined;
let agents: readonly PoolKey[] | undefined;

export function issuerPool(): readonly PoolKey[] {
  issuers ??= ISSUER_KIDS.map(([kid, alg]) => derive(kid, alg));
  return issuers;
}

export function agentPool(): readonly PoolKey[] {
  agents ??= AGENT_KIDS.map(([kid, alg]) => derive(kid, alg));
  return agents;
}

export function issuerKey(index: number): PoolKey {
  const pool = issuerPool();
  return pool[((index % pool.length) + pool.length) % pool.length] as PoolKey;
}

export function agentKey(index: number): PoolKey {
  const pool = agentPool();
  return pool[((index % pool.length) + pool.length) % pool.length] as PoolKey;
}

export const ISSUER_POOL_SIZE = ISSUER_KIDS.length;
export const AGENT_POOL_SIZE = AGENT_KIDS.length;
