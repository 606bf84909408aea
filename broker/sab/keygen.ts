// Issuer keys for the reference SAB, made with jose so that our verifier is
// checked against an independent implementation on every certificate.
import { exportJWK, generateKeyPair } from 'jose';
import type { Alg } from '../core/crypto-params.js';
import type { JsonObject } from '../core/strict-json.js';

export interface GeneratedKey {
  readonly privateJwk: JsonObject;
  readonly publicJwk: JsonObject;
}

export async function generateSigningKey(alg: Alg, kid: string): Promise<GeneratedKey> {
  const { privateKey } = await generateKeyPair(alg, { crv: alg === 'EdDSA' ? 'Ed25519' : undefined, extractable: true });
  const jwk = (await exportJWK(privateKey)) as JsonObject;
  const privateJwk: JsonObject = { ...jwk, kid, alg };
  const { d: _d, ...publicJwk } = privateJwk;
  return { privateJwk, publicJwk };
}
