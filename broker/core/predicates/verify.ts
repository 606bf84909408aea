// Predicates 1 to 8, in order: the first that fails decides. All local and
// pure: the request bytes, the policy, the state and the time are arguments.
// Replay (9) and drift (10) need the ledger and the platform; the broker
// sequences them after this.
import { readCertificate, type Certificate } from '../certificate/certificate.js';
import { readRequest, type ExecutionRequest } from '../certificate/request.js';
import { InvalidInputError } from '../errors.js';
import { allow, deny, type Allow, type Deny } from '../reasons.js';
import { checkContract } from './contract.js';
import type { BrokerState, VerifierPolicy } from './context.js';
import { checkIssuer } from './issuer.js';
import { checkPolicyEpoch } from './policy-epoch.js';
import { checkProof, proofUse } from './proof.js';
import { checkRevocation } from './revocation.js';
import { checkSignature } from './signature.js';
import { checkWindow } from './window.js';

export interface Accepted {
  readonly ok: true;
  readonly decision: Allow;
  readonly request: ExecutionRequest;
  readonly certificate: Certificate;
  /** The use the proof of possession spends, when the certificate confirms a key. */
  readonly use?: number;
}

export interface Refused {
  readonly ok: false;
  readonly decision: Deny;
  readonly request?: ExecutionRequest;
  readonly certificate?: Certificate;
}

export type Verified = Accepted | Refused;

export function verifyRequest(requestBytes: Uint8Array, policy: VerifierPolicy, state: BrokerState, nowMs: number): Verified {
  let request: ExecutionRequest;
  let certificate: Certificate;
  try {
    request = readRequest(requestBytes);
    certificate = readCertificate(request.certificate);
    policy.contractSchema?.(request.contract);
  } catch (error) {
    if (error instanceof InvalidInputError) return { ok: false, decision: deny('malformed') };
    throw error;
  }
  const { claims } = certificate;
  const reason =
    checkSignature(certificate, policy.trust.keys) ??
    checkIssuer(claims, certificate.kid, policy.trust, policy) ??
    checkWindow(claims, nowMs, policy.maxSkewS, policy.maxLifetimeS) ??
    checkPolicyEpoch(claims, state.policyEpoch) ??
    checkRevocation(claims, state.revocation, nowMs) ??
    checkContract(claims, request.contract) ??
    checkProof(claims, request.proof, policy.audience, nowMs, policy.maxSkewS);
  if (reason !== null) return { ok: false, decision: deny(reason, claims.jti), request, certificate };
  const accepted = { ok: true as const, decision: allow(claims.jti), request, certificate };
  return claims.cnf === undefined || request.proof === undefined ? accepted : { ...accepted, use: proofUse(request.proof) };
}
