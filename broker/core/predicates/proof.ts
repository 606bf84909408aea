// Predicate 8: when the certificate confirms a key (`cnf.jkt`), the request
// must carry a proof signed by that key, for this broker (`aud`), this
// certificate and contract (`jti`, `cdg`), one of its uses (`use`, 1 to
// `uses`: the replay ledger spends each use once, see proofUse), made within
// the skew of now (the skew is capped, MAX_SKEW_S). The proof's header carries the agent's public
// key; it is trusted only because its thumbprint is the certified one.
import type { Claims } from '../certificate/claims.js';
import { isAllowedAlg, TYP_PROOF } from '../crypto-params.js';
import { InvalidInputError } from '../errors.js';
import { splitCompact, verifySignature } from '../jws.js';
import { importBareJwk } from '../keys.js';
import { MAX_PROOF_BYTES } from '../limits.js';
import type { Reason } from '../reasons.js';
import { decodeUtf8, isJsonObject, parseStrictJson } from '../strict-json.js';
import { jwkThumbprint } from '../thumbprint.js';

const HEADER_MEMBERS = new Set(['alg', 'typ', 'jwk']);
const PAYLOAD_MEMBERS = new Set(['aud', 'jti', 'cdg', 'use', 'iat']);

/** `audience` is this broker's: a proof made for another broker does not hold here. */
export function checkProof(claims: Claims, proof: string | undefined, audience: string, nowMs: number, maxSkewS: number): Reason | null {
  if (claims.cnf === undefined) return null;
  if (proof === undefined) return 'pop_invalid';
  try {
    return proofHolds(claims, claims.cnf.jkt, proof, audience, nowMs, maxSkewS) ? null : 'pop_invalid';
  } catch (error) {
    if (error instanceof InvalidInputError) return 'pop_invalid';
    throw error;
  }
}

/**
 * The use a proof names, once checkProof has held: the replay ledger spends
 * that use, so the same proof (captured, replayed) finds it spent.
 */
export function proofUse(proof: string): number {
  const payload = proofPayload(splitCompact(proof, 'proof', MAX_PROOF_BYTES).payloadBytes);
  if (!isJsonObject(payload) || typeof payload.use !== 'number') throw new InvalidInputError('proof: no use');
  return payload.use;
}

function proofPayload(bytes: Uint8Array) {
  return parseStrictJson(decodeUtf8(bytes, 'proof payload'), 'proof payload');
}

function proofHolds(claims: Claims, jkt: string, proof: string, audience: string, nowMs: number, maxSkewS: number): boolean {
  const { header, payloadBytes, signingInput, signature } = splitCompact(proof, 'proof', MAX_PROOF_BYTES);
  if (!Object.keys(header).every((name) => HEADER_MEMBERS.has(name))) return false;
  const { alg, typ, jwk } = header;
  if (typ !== TYP_PROOF || !isAllowedAlg(alg) || !isJsonObject(jwk)) return false;
  const key = importBareJwk(jwk, alg, 'proof key');
  if (jwkThumbprint(jwk) !== jkt) return false;
  if (!verifySignature(alg, key, signingInput, signature)) return false;
  const payload = proofPayload(payloadBytes);
  if (!isJsonObject(payload) || !Object.keys(payload).every((name) => PAYLOAD_MEMBERS.has(name))) return false;
  const { iat, use } = payload;
  if (payload.aud !== audience || payload.jti !== claims.jti || payload.cdg !== claims.cdg) return false;
  if (typeof use !== 'number' || !Number.isSafeInteger(use) || use < 1 || use > claims.uses) return false;
  return typeof iat === 'number' && Number.isSafeInteger(iat) && Math.abs(nowMs - iat * 1000) <= maxSkewS * 1000;
}
