// The reference SAB's certificate issuer. It signs with jose (an
// implementation independent of the broker's verifier) and refuses to make
// a certificate the broker's strict reader would call malformed. Its key is
// checked against the broker's allowlist and imported once: importing a JWK
// cost more than the signature (about 0.17 ms of the load generator's CPU
// per certificate in the throughput sweep).
import { randomBytes } from 'node:crypto';
import { CompactSign } from 'jose';
import { readClaims, type Claims } from '../core/certificate/claims.js';
import type { Contract } from '../core/certificate/contract.js';
import { TYP_CERTIFICATE } from '../core/crypto-params.js';
import { jcsDigest } from '../core/digest.js';
import { importPrivateJwk, type SigningKey } from '../core/keys.js';
import type { JsonObject, JsonValue } from '../core/strict-json.js';

/** What one certificate says: everything but the key that signs it. */
export interface CertificateOptions {
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

export interface IssueOptions extends CertificateOptions {
  readonly privateJwk: JsonObject;
}

export const DEFAULT_TTL_S = 300;

export function newJti(): string {
  return randomBytes(16).toString('base64url');
}

export function buildClaims(o: CertificateOptions): Claims {
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

/** An issuer key, imported once, that signs any number of certificates. */
export class CertificateIssuer {
  private constructor(private readonly key: SigningKey) {}

  /** Refuses (InvalidInputError) a key the broker's allowlist would refuse. */
  static fromJwk(privateJwk: JsonObject): CertificateIssuer {
    return new CertificateIssuer(importPrivateJwk(privateJwk, 'issuer key'));
  }

  issue(o: CertificateOptions): Promise<string> {
    const { kid, alg, key } = this.key;
    return new CompactSign(new TextEncoder().encode(JSON.stringify(buildClaims(o)))).setProtectedHeader({ alg, typ: TYP_CERTIFICATE, kid }).sign(key);
  }
}

/** One certificate with a key given as a JWK (the CLI, tests): the key is imported for it alone. */
export async function issueCertificate(o: IssueOptions): Promise<string> {
  return CertificateIssuer.fromJwk(o.privateJwk).issue(o);
}
