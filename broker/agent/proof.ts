// The agent's side of proof of possession: sign {aud, jti, cdg, use, iat}
// with the key whose thumbprint the certificate confirms (see
// predicates/proof.ts). `aud` names the one broker the request goes to and
// `use` which of the certificate's uses (1 to `uses`) this request spends, so
// a captured request can be replayed neither to another broker nor for
// another use.
import { TYP_PROOF } from '../core/crypto-params.js';
import { signCompactWithHeader } from '../core/jws.js';
import type { SigningKey } from '../core/keys.js';
import { jwkThumbprint } from '../core/thumbprint.js';

export interface ProofFor {
  /** The audience of the broker the request is sent to. */
  readonly aud: string;
  /** The certificate's id and contract digest. */
  readonly jti: string;
  readonly cdg: string;
  /** Which use this request spends: 1 to the certificate's `uses`, each once. */
  readonly use: number;
}

export function makeProof(agentKey: SigningKey, what: ProofFor, nowS: number): string {
  const { kid: _kid, alg: _alg, use: _use, ...bare } = agentKey.publicJwk;
  return signCompactWithHeader(agentKey, { typ: TYP_PROOF, jwk: bare }, JSON.stringify({ aud: what.aud, jti: what.jti, cdg: what.cdg, use: what.use, iat: nowS }));
}

export function agentThumbprint(agentKey: SigningKey): string {
  const jkt = jwkThumbprint(agentKey.publicJwk);
  if (jkt === undefined) throw new Error('agent key has no thumbprint');
  return jkt;
}
