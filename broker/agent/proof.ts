// The agent's side of proof of possession: sign {jti, cdg, iat} with the key
// whose thumbprint the certificate confirms (see predicates/proof.ts).
import { TYP_PROOF } from '../core/crypto-params.js';
import { signCompactWithHeader } from '../core/jws.js';
import type { SigningKey } from '../core/keys.js';
import { jwkThumbprint } from '../core/thumbprint.js';

export function makeProof(agentKey: SigningKey, jti: string, cdg: string, nowS: number): string {
  const { kid: _kid, alg: _alg, use: _use, ...bare } = agentKey.publicJwk;
  return signCompactWithHeader(agentKey, { typ: TYP_PROOF, jwk: bare }, JSON.stringify({ jti, cdg, iat: nowS }));
}

export function agentThumbprint(agentKey: SigningKey): string {
  const jkt = jwkThumbprint(agentKey.publicJwk);
  if (jkt === undefined) throw new Error('agent key has no thumbprint');
  return jkt;
}
