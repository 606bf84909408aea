// The fuzzer's model of one case: everything a verifier is told (keys,
// policy, state, time) and everything the request says, as plain values
// that mutations edit. A draft built from BaseParams alone is valid by
// construction; each mutation records the reason it must cause (a Tag).
import { TYP_CERTIFICATE, type Alg } from '../../broker/core/crypto-params.js';
import { jcsDigest } from '../../broker/core/digest.js';
import { DEFAULT_REVOCATION_MAX_AGE_MS } from '../../broker/core/predicates/context.js';
import type { Reason } from '../../broker/core/reasons.js';
import type { JsonObject, JsonValue } from '../../broker/core/strict-json.js';
import { agentThumbprint } from '../../broker/agent/proof.js';
import type { Injection, JsonStyle, StyledValue } from './json-text.js';
import { agentKey, issuerKey } from './keys.js';

/** One mutation applied, and the reason it must cause on its own (null: none). */
export interface Tag {
  readonly tag: string;
  readonly expect: Reason | null;
}

export interface BaseParams {
  readonly nowS: number;
  readonly nowMsPart: number;
  readonly skewS: number;
  readonly maxLifetimeS: number;
  /** Raw draws, folded into range by draftFrom so that every draw is valid. */
  readonly lifetimeDraw: number;
  readonly ageDraw: number;
  readonly nbfDraw: number | null;
  readonly iss: string;
  readonly sub: string;
  readonly audience: string;
  readonly audOthers: readonly string[];
  readonly audAsString: boolean;
  readonly jti: string;
  readonly pep: number;
  readonly rep: number;
  readonly floorBelow: number;
  readonly revokedOthers: readonly string[];
  readonly revocationAgeDraw: number;
  readonly revocationMaxAgeMs: number;
  readonly contract: JsonObject;
  readonly uses: number | null;
  readonly pre: { readonly state: JsonValue; readonly version: string | null } | null;
  readonly live: boolean;
  readonly agent: number | null;
  readonly proofIatDraw: number;
  readonly trusted: readonly number[];
  readonly signerDraw: number;
  readonly ledger: boolean;
}

export interface TextPlan {
  style: JsonStyle;
  inject: Injection[];
  prefix: Buffer;
  suffix: Buffer;
}

export interface SignaturePlan {
  /** Who signs: the pool key `signer`, another issuer pool key, nobody, HMAC keyed by the public key. */
  by: { kind: 'signer' } | { kind: 'pool'; index: number } | { kind: 'none' } | { kind: 'hmac' };
  /** What happens to the signature or the signed bytes afterwards. */
  tamper: 'none' | 'flip' | 'truncate' | 'extend' | 'empty' | 'der' | 'payload-after' | 'malleate';
  at: number;
}

export type TokenEdit = 'trailing-bits' | 'padding' | 'std-alphabet' | 'extra-segment' | 'drop-signature' | 'whitespace';

export interface ProofPlan {
  signer: 'agent' | 'other';
  headerKey: 'agent' | 'other' | 'agent-private';
  alg: string | null; // null: the signing key's alg
  typ: JsonValue | undefined;
  extraHeader: [string, JsonValue] | null;
  /** Whom the proof names: the verifier's audience, another broker, or none (the form before proofs named one). */
  aud: 'verifier' | 'other' | 'missing';
  jti: 'cert' | 'other';
  cdg: 'cert' | 'other';
  /** Which use the proof spends: the certificate's last (valid with any ledger that has one left), its first, or an invalid one. */
  use: 'last' | 'first' | 'zero' | 'over' | 'string';
  iatOffsetS: number;
  iat: JsonValue | undefined; // set: replaces the number
  extraPayload: [string, JsonValue] | null;
  raw: string | null; // set: the proof is this string
}

export type LedgerPlan = { kind: 'none' } | { kind: 'fresh'; consumed: number } | { kind: 'down' };

export interface Draft {
  readonly cli: boolean;
  nowMs: number;
  policy: { issuer: string; audience: string; sharedLedgerAudiences: string[]; maxLifetimeS: number; maxSkewS: number; policyEpoch: number };
  revocation: { floor: number; revoked: string[]; ageMs: number; maxAgeMs: number };
  trusted: number[];
  signer: number;
  header: { [name: string]: StyledValue };
  claims: { [name: string]: StyledValue };
  requestContract: JsonValue;
  /** The cdg claim no longer names the certificate's contract. */
  cdgStale: boolean;
  agent: number | null;
  proof: ProofPlan | null;
  ledger: LedgerPlan;
  /** The state `pre.digest` certifies; null when the certificate certifies none. */
  preState: JsonValue | null;
  live: { value: JsonValue; style: JsonStyle } | null;
  text: { header: TextPlan; payload: TextPlan; request: TextPlan };
  signature: SignaturePlan;
  tokenEdits: TokenEdit[];
  certPadDelta: number | null;
  requestPadDelta: number | null;
  tags: Tag[];
}

/** `seb verify` judges a revocation view given on its command line as current, with the default bound. */
export const CLI_REVOCATION_MAX_AGE_MS = DEFAULT_REVOCATION_MAX_AGE_MS;

export function plainText(): TextPlan {
  return { style: {}, inject: [], prefix: Buffer.alloc(0), suffix: Buffer.alloc(0) };
}

export function validProof(iatOffsetS: number): ProofPlan {
  return { signer: 'agent', headerKey: 'agent', alg: null, typ: undefined, extraHeader: null, aud: 'verifier', jti: 'cert', cdg: 'cert', use: 'last', iatOffsetS, iat: undefined, extraPayload: null, raw: null };
}

/** A valid case: every predicate passes, whatever the draws. */
export function draftFrom(b: BaseParams, cli: boolean): Draft {
  const lifetime = 1 + (b.lifetimeDraw % b.maxLifetimeS);
  let age = b.ageDraw % lifetime; // now - iat, in [0, lifetime - 1]: now < exp
  if (age > b.nowS) age = b.nowS;
  const iat = b.nowS - age;
  const nbf = b.nbfDraw === null ? undefined : iat + (b.nbfDraw % (age + 1));
  // With no skew, a proof's whole-second iat can only match a whole-second now.
  const wholeSecond = cli || (b.agent !== null && b.skewS === 0);
  const nowMs = b.nowS * 1000 + (wholeSecond ? 0 : b.nowMsPart);
  const contract = structuredClone(b.contract);
  const signer = b.trusted[b.signerDraw % b.trusted.length] as number;
  const key = issuerKey(signer);
  const claims: Draft['claims'] = {
    iss: b.iss,
    aud: b.audAsString && b.audOthers.length === 0 ? b.audience : [...b.audOthers, b.audience],
    sub: b.sub,
    jti: b.jti,
    iat,
    ...(nbf === undefined ? {} : { nbf }),
    exp: iat + lifetime,
    pep: b.pep,
    rep: b.rep,
    cdg: jcsDigest(contract),
    contract,
    ...(b.uses === null ? {} : { uses: b.uses }),
  };
  if (b.pre !== null) claims.pre = b.pre.version === null ? { digest: jcsDigest(b.pre.state) } : { digest: jcsDigest(b.pre.state), version: b.pre.version };
  if (b.agent !== null) claims.cnf = { jkt: agentThumbprint(agentKey(b.agent).signing) };
  const maxAgeMs = cli ? CLI_REVOCATION_MAX_AGE_MS : b.revocationMaxAgeMs;
  return {
    cli,
    nowMs,
    // The other audiences a valid certificate names share the verifier's ledger (single use holds per ledger).
    policy: { issuer: b.iss, audience: b.audience, sharedLedgerAudiences: b.audOthers.filter((a) => a !== b.audience), maxLifetimeS: b.maxLifetimeS, maxSkewS: b.skewS, policyEpoch: b.pep },
    revocation: {
      floor: Math.max(0, b.rep - b.floorBelow),
      revoked: b.revokedOthers.filter((j) => j !== b.jti),
      ageMs: cli ? 0 : b.revocationAgeDraw % (maxAgeMs + 1),
      maxAgeMs,
    },
    trusted: [...new Set(b.trusted)],
    signer,
    header: { alg: key.alg, typ: TYP_CERTIFICATE, kid: key.kid },
    claims,
    requestContract: structuredClone(b.contract),
    cdgStale: false,
    agent: b.agent,
    proof: b.agent === null ? null : validProof(validProofOffset(b.proofIatDraw, nowMs, b.skewS)),
    ledger: b.ledger ? { kind: 'fresh', consumed: 0 } : { kind: 'none' },
    preState: b.pre === null ? null : structuredClone(b.pre.state),
    live: b.pre !== null && b.live ? { value: structuredClone(b.pre.state), style: {} } : null,
    text: { header: plainText(), payload: plainText(), request: plainText() },
    signature: { by: { kind: 'signer' }, tamper: 'none', at: 0 },
    tokenEdits: [],
    certPadDelta: null,
    requestPadDelta: null,
    tags: [],
  };
}

/** A proof iat offset (from the whole second of now) within the skew: |now - iat| <= skew. */
export function validProofOffset(draw: number, nowMs: number, skewS: number): number {
  const frac = nowMs % 1000;
  const low = frac === 0 ? -skewS : -skewS + 1;
  const width = skewS - low + 1;
  return width <= 0 ? 0 : low + (Math.abs(draw) % width); // none: no skew and a sub-second now

}

export function signerAlg(d: Draft): Alg {
  return issuerKey(d.signer).alg;
}
