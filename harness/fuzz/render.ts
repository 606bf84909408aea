// A draft to bytes: header and payload text signed (or not) as planned, the
// token edited, the proof made, the request written and padded, and the
// settings a verifier needs. Edits whose effect only the bytes can tell
// (token edits, sizes) add their tags here.
import { makeProof } from '../../broker/agent/proof.js';
import { encodeBase64url } from '../../broker/core/base64url.js';
import { TYP_PROOF } from '../../broker/core/crypto-params.js';
import { jcsDigest } from '../../broker/core/digest.js';
import { signCompactWithHeader } from '../../broker/core/jws.js';
import { MAX_CERTIFICATE_BYTES, MAX_REQUEST_BYTES } from '../../broker/core/limits.js';
import type { Reason } from '../../broker/core/reasons.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../broker/core/strict-json.js';
import type { FuzzCase, LedgerSpec } from './case.js';
import { writeJson, type StyledValue } from './json-text.js';
import { agentKey, issuerKey } from './keys.js';
import { CLI_REVOCATION_MAX_AGE_MS, type Draft, type Tag, type TextPlan, type TokenEdit } from './model.js';
import { setMember } from './mutations/mutation.js';
import { signatureBytes, tampered } from './signature-bytes.js';

export interface Rendered {
  readonly fuzzCase: Omit<FuzzCase, 'expected' | 'tags'>;
  /** Tags only the bytes could settle. */
  readonly tags: readonly Tag[];
  /** The proof's iat when the proof is otherwise well made, for the oracle's time rule. */
  readonly proofIatS: number | null;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function render(d: Draft): Rendered {
  if (d.certPadDelta !== null) padCertificate(d, MAX_CERTIFICATE_BYTES + d.certPadDelta);
  const { token, tags } = certificate(d);
  if (d.certPadDelta !== null) tags.push({ tag: 'contract.certificate-size-edge', expect: token.length > MAX_CERTIFICATE_BYTES ? 'malformed' : null });
  const { proof, proofIatS } = proofOf(d);
  const body: { [name: string]: StyledValue } = { certificate: token, contract: d.requestContract };
  if (proof !== undefined) body.proof = proof;
  let request = textBytes(body, d.text.request);
  if (d.requestPadDelta !== null) {
    const target = MAX_REQUEST_BYTES + d.requestPadDelta;
    if (request.length < target) request = Buffer.concat([request, Buffer.alloc(target - request.length, 0x20)]);
    tags.push({ tag: 'contract.request-size-edge', expect: request.length > MAX_REQUEST_BYTES ? 'malformed' : null });
  }
  return {
    fuzzCase: {
      cli: d.cli && d.nowMs % 1000 === 0 && d.revocation.ageMs === 0 && d.revocation.maxAgeMs === CLI_REVOCATION_MAX_AGE_MS,
      verify: {
        issuer: d.policy.issuer,
        audience: d.policy.audience,
        sharedLedgerAudiences: [...d.policy.sharedLedgerAudiences],
        now: Math.floor(d.nowMs / 1000),
        policyEpoch: d.policy.policyEpoch,
        revocationFloor: d.revocation.floor,
        maxLifetimeS: d.policy.maxLifetimeS,
        maxSkewS: d.policy.maxSkewS,
      },
      nowMs: d.nowMs,
      revocation: { revoked: [...d.revocation.revoked], ageMs: d.revocation.ageMs, maxAgeMs: d.revocation.maxAgeMs },
      ledger: ledgerSpec(d),
      live: d.live === null ? null : writeJson(d.live.value, d.live.style),
      jwks: { keys: d.trusted.map((i) => issuerKey(i).publicJwk) },
      certificate: token,
      request,
    },
    tags,
    proofIatS,
  };
}

function textBytes(value: StyledValue, plan: TextPlan): Buffer {
  return Buffer.concat([plan.prefix, Buffer.from(writeJson(value, plan.style, plan.inject), 'utf8'), plan.suffix]);
}

function certificate(d: Draft): { token: string; tags: Tag[] } {
  const header = encodeBase64url(textBytes(d.header, d.text.header));
  const payloadBytes = textBytes(d.claims, d.text.payload);
  const payload = encodeBase64url(payloadBytes);
  const signingInput = Buffer.from(`${header}.${payload}`, 'ascii');
  const signature = tampered(d, signatureBytes(d, signingInput));
  // Signed bytes changed afterwards: trailing whitespace keeps the payload the same JSON.
  const sent = d.signature.tamper === 'payload-after' ? encodeBase64url(Buffer.concat([payloadBytes, Buffer.from(' ')])) : payload;
  let token = `${header}.${sent}.${encodeBase64url(signature)}`;
  const tags: Tag[] = [];
  for (const edit of d.tokenEdits) {
    const [next, expect] = editToken(token, edit);
    token = next;
    tags.push({ tag: `encoding.token-${edit}`, expect });
  }
  return { token, tags };
}

function editToken(token: string, edit: TokenEdit): [string, Reason | null] {
  const segments = token.split('.');
  switch (edit) {
    case 'trailing-bits': {
      // Set an unused low bit of the last character: the same bytes, spelled non-canonically.
      for (let i = segments.length - 1; i >= 0; i--) {
        const seg = segments[i] as string;
        const index = BASE64URL.indexOf(seg.at(-1) ?? '');
        if ((seg.length % 4 === 2 || seg.length % 4 === 3) && index >= 0 && (index & 1) === 0) {
          segments[i] = `${seg.slice(0, -1)}${BASE64URL[index | 1]}`;
          return [segments.join('.'), 'malformed'];
        }
      }
      return [token, null];
    }
    case 'padding':
      segments[Math.min(1, segments.length - 1)] += '=';
      return [segments.join('.'), 'malformed'];
    case 'std-alphabet':
      return [/[-_]/.test(token) ? token.replace(/[-_]/, (c) => (c === '-' ? '+' : '/')) : `+${token}`, 'malformed'];
    // Segment counts stay wrong whatever other edits do: at least four, or at most two.
    case 'extra-segment':
      while (segments.length < 4) segments.push('AAAA');
      return [segments.join('.'), 'malformed'];
    case 'drop-signature':
      return [segments.slice(0, 2).join('.'), 'malformed'];
    case 'whitespace': {
      const at = Math.floor(token.length / 2);
      return [`${token.slice(0, at)}\n${token.slice(at)}`, 'malformed'];
    }
  }
}

/** Pad contract.parameters in both contracts so the token is about `target` characters long. */
function padCertificate(d: Draft, target: number): void {
  const cert = parametersOf(d.claims.contract);
  const req = parametersOf(d.requestContract);
  if (cert === null || req === null) return;
  // Re-sign the padded contract only when cdg named it before: a cdg that other
  // mutations made wrong (stale, or malformed) must stay wrong.
  const consistent = !d.cdgStale && d.claims.cdg === jcsDigest(d.claims.contract as JsonValue);
  const measure = (n: number): number => {
    setMember(cert, 'pad', 'a'.repeat(n));
    setMember(req, 'pad', 'a'.repeat(n));
    if (consistent) d.claims.cdg = jcsDigest(d.claims.contract as JsonValue);
    return certificate(d).token.length;
  };
  const l0 = measure(0);
  const perChar = (measure(1000) - l0) / 1000;
  // Newton steps, then the neighbours: base64url grows in steps, so the exact target may be one off.
  let best = Math.max(0, Math.round((target - l0) / perChar));
  let gap = measure(best) - target;
  for (let i = 0; i < 3 && Math.abs(gap) > 1; i++) {
    best = Math.max(0, best - Math.round(gap / perChar));
    gap = measure(best) - target;
  }
  for (const n of [best - 1, best + 1]) {
    if (gap === 0 || n < 0) continue;
    const g = measure(n) - target;
    if (Math.abs(g) < Math.abs(gap)) [best, gap] = [n, g];
  }
  measure(best);
}

function parametersOf(contract: unknown): JsonObject | null {
  const c = contract as JsonValue;
  return isJsonObject(c) && isJsonObject(c.parameters) ? c.parameters : null;
}

function proofOf(d: Draft): { proof: string | undefined; proofIatS: number | null } {
  const plan = d.proof;
  if (plan === null) return { proof: undefined, proofIatS: null };
  if (plan.raw !== null || d.agent === null) return { proof: plan.raw ?? undefined, proofIatS: null };
  const agent = agentKey(d.agent);
  const other = agentKey(d.agent + 1);
  const certJti = String(d.claims.jti);
  const certCdg = String(d.claims.cdg);
  const jti = plan.jti === 'cert' ? certJti : `other-${certJti}`;
  const cdg = plan.cdg === 'cert' ? certCdg : jcsDigest(['other', certCdg]);
  const certUses = typeof d.claims.uses === 'number' && Number.isSafeInteger(d.claims.uses) && d.claims.uses >= 1 ? d.claims.uses : 1;
  const use = { last: certUses, first: 1, zero: 0, over: certUses + 1, string: String(certUses) }[plan.use];
  const proofAud = plan.aud === 'verifier' ? d.policy.audience : plan.aud === 'other' ? `${d.policy.audience}x` : undefined;
  const iatS = Math.floor(d.nowMs / 1000) + plan.iatOffsetS;
  const iat = plan.iat === undefined ? iatS : plan.iat;
  const proofIatS = plan.iat === undefined ? iatS : null;
  const wellMade =
    proofAud !== undefined &&
    typeof use === 'number' &&
    plan.signer === 'agent' && plan.headerKey === 'agent' && plan.alg === null && plan.typ === undefined && plan.extraHeader === null && plan.extraPayload === null;
  if (wellMade && typeof iat === 'number') return { proof: makeProof(agent.signing, { aud: proofAud, jti, cdg, use }, iat), proofIatS };
  const signer = plan.signer === 'agent' ? agent.signing : other.signing;
  const { kid: _kid, alg: _alg, ...bareOther } = other.publicJwk;
  const { kid: _k, alg: _a, ...bareAgent } = agent.publicJwk;
  const jwk = plan.headerKey === 'agent' ? bareAgent : plan.headerKey === 'other' ? bareOther : agent.bareJwk;
  const header: JsonObject = { alg: plan.alg ?? signer.alg, jwk };
  if (plan.typ !== null) header.typ = plan.typ === undefined ? TYP_PROOF : plan.typ;
  if (plan.extraHeader !== null) setMember(header, plan.extraHeader[0], plan.extraHeader[1]);
  const payload: JsonObject = proofAud === undefined ? { jti, cdg, use, iat } : { aud: proofAud, jti, cdg, use, iat };
  if (plan.extraPayload !== null) setMember(payload, plan.extraPayload[0], plan.extraPayload[1]);
  return { proof: signCompactWithHeader(signer, header, JSON.stringify(payload)), proofIatS };
}

function ledgerSpec(d: Draft): LedgerSpec | null {
  if (d.ledger.kind === 'none') return null;
  if (d.ledger.kind === 'down') return { down: true };
  const uses = d.claims.uses;
  return {
    issuer: String(d.claims.iss),
    jti: String(d.claims.jti),
    uses: typeof uses === 'number' && Number.isSafeInteger(uses) && uses >= 1 ? uses : 1,
    consumed: d.ledger.consumed,
    perUse: d.agent !== null,
  };
}
