// The reference SAB's certificate issuer. It signs with jose (an
// implementation independent of the broker's verifier) and refuses to make
// a certificate the broker's strict reader would call malformed.
import { randomBytes } from 'node:crypto';
import { CompactSign, importJWK } from 'jose';
import { readClaims, type Claims } from '../core/certificate/claims.js';
import type { Contract } from '../core/certificate/contract.js';
import { TYP_CERTIFICATE } from '../core/crypto-params.js';
import { jcsDigest } from '../core/digest.js';
import { importPrivateJwk } from '../core/keys.js';
import type { JsonObject, JsonValue } from '../core/strict-json.js';

export interface IssueOptions {
  readonly privateJwk: JsonObject;
  readonly issuer: string;
  readonly audience: string | readonly string[];
  readonly subject: string;
  readonly contract: Contract;
  readonly nowS: number;
  readonly ttlS?: number;
  readonly policyEpoch?: number;
  readonly revocationEpoch?: number;
  readonly uses?: number;
  /** The live state the SAB saw when admitting; its digest becomes `pre.digest`. */
  readonly preState?: JsonValue;
  readonly preVersion?: string;
  readonly jti?: string;
  /** Thumbprint of the agent's key, to require a proof of possession. */
  readonly confirmationJkt?: string;
}

export const DEFAULT_TTL_S = 300;

export function newJti(): string {
  return randomBytes(16).toString('base64url');
}

export function buildClaims(o: IssueOptions): Claims {
  const payload: JsonObject = {
    iss: o.issuer,
    aud: typeof o.audience === 'string' ? o.audience : [...o.audience],
    sub: o.subject,
    jti: o.jti ?? newJti(),
    iat: o.nowS,
    nbf: o.nowS,
    exp: o.nowS + (o.ttlS ?? DEFAULT_TTL_S),
    pep: o.policyEpoch ?? 0,
    rep: o.revocationEpoch ?? 0,
    cdg: jcsDigest(o.contract),
    contract: o.contract,
    uses: o.uses ?? 1,
  };
  if (o.preState !== undefined) {
    payload.pre = o.preVersion === undefined ? { digest: jcsDigest(o.preState) } : { digest: jcsDigest(o.preState), version: o.preVersion };
  }
  if (o.confirmationJkt !== undefined) payload.cnf = { jkt: o.confirmationJkt };
  return readClaims(payload);
}

export async function issueCertificate(o: IssueOptions): Promise<string> {
  const claims = buildClaims(o);
  const { kid, alg } = importPrivateJwk(o.privateJwk, 'issuer key');
  const key = await importJWK(o.privateJwk as Parameters<typeof importJWK>[0], alg);
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg, typ: TYP_CERTIFICATE, kid })
    .sign(key);
}
