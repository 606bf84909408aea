// The offline path end to end (predicates 1 to 8), and the invariants of
// docs/design.md section 4 that it carries: nothing denied is allowed, the first
// failing predicate decides, equal inputs decide equally.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { agentThumbprint, makeProof } from '../../agent/proof.js';
import { AUDIENCE, freshState, ISSUER, issueFor, makeIssuer, NOW_S, requestBytes, SAMPLE_CONTRACT, type Issuer } from '../../../harness/sample-certificates.js';
import { encodeBase64url } from '../base64url.js';
import { jcsDigest } from '../digest.js';
import { signBytes, signCompactWithHeader } from '../jws.js';
import { trustIssuers } from '../issuer-keys.js';
import { importKeySet, importPrivateJwk, type SigningKey } from '../keys.js';
import { REASONS, type Reason } from '../reasons.js';
import { generateSigningKey } from '../../sab/keygen.js';
import type { JsonObject } from '../strict-json.js';
import { verifyRequest } from './verify.js';

const NOW_MS = NOW_S * 1000 + 5000;
let ed: Issuer;
let es: Issuer;
let valid: string;

beforeAll(async () => {
  ed = await makeIssuer('EdDSA');
  es = await makeIssuer('ES256');
  valid = await issueFor(ed);
});

function decide(cert: string, options: { issuer?: Issuer; contract?: unknown; proof?: string; nowMs?: number; state?: Parameters<typeof freshState>[1] } = {}) {
  const issuer = options.issuer ?? ed;
  const bytes = requestBytes(cert, (options.contract ?? SAMPLE_CONTRACT) as JsonObject, options.proof);
  const now = options.nowMs ?? NOW_MS;
  return verifyRequest(bytes, issuer.policy, freshState(now, options.state), now).decision;
}

/** Sign exactly the given header and payload text, whatever they say. */
function forge(header: string, payload: string, key: SigningKey): string {
  const input = `${encodeBase64url(Buffer.from(header))}.${encodeBase64url(Buffer.from(payload))}`;
  return `${input}.${encodeBase64url(signBytes(key, Buffer.from(input)))}`;
}

function payloadOf(cert: string): JsonObject {
  return JSON.parse(Buffer.from(cert.split('.')[1] as string, 'base64url').toString()) as JsonObject;
}

const HEADER = (alg = 'EdDSA', kid = 'eddsa-1') => JSON.stringify({ alg, typ: 'seb-cert+jwt', kid });

describe('the offline predicates', () => {
  it('allow a valid certificate used within its limits, for both algorithms', async () => {
    expect(decide(valid)).toEqual({ decision: 'allow', reason: null, jti: payloadOf(valid).jti });
    expect(decide(await issueFor(es), { issuer: es }).decision).toBe('allow');
  });

  it('deny any change to the certificate bytes', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    fc.assert(
      fc.property(fc.nat({ max: valid.length - 1 }), fc.constantFrom(...alphabet), (at, c) => {
        fc.pre(valid[at] !== c);
        const changed = valid.slice(0, at) + c + valid.slice(at + 1);
        expect(decide(changed).decision).toBe('deny');
      }),
      { numRuns: 300 },
    );
  });

  it('deny any change to the claims, however re-encoded, unless signed by a trusted key', async () => {
    const untrusted = importPrivateJwk((await generateSigningKey('EdDSA', 'eddsa-1')).privateJwk);
    fc.assert(
      fc.property(fc.constantFrom('sub', 'jti', 'pep', 'rep', 'uses', 'exp'), fc.oneof(fc.nat(1000), fc.stringMatching(/^[a-z]{1,8}$/)), (claim, value) => {
        const payload = { ...payloadOf(valid), [claim]: value };
        expect(decide(forge(HEADER(), JSON.stringify(payload), untrusted)).decision).toBe('deny');
      }),
      { numRuns: 100 },
    );
  });

  it('deny any change to the requested contract as contract_mismatch', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 3 }), (extra) => {
        const contract = { ...SAMPLE_CONTRACT, parameters: { ...SAMPLE_CONTRACT.parameters, ...extra } };
        fc.pre(jcsDigest(contract as never) !== jcsDigest(SAMPLE_CONTRACT));
        expect(decide(valid, { contract }).reason).toBe('contract_mismatch');
      }),
      { numRuns: 100 },
    );
    expect(decide(valid, { contract: { ...SAMPLE_CONTRACT, operation: 'delete' } }).reason).toBe('contract_mismatch');
    expect(decide(valid, { contract: { ...SAMPLE_CONTRACT, target: { ...SAMPLE_CONTRACT.target, name: 'api' } } }).reason).toBe('contract_mismatch');
  });

  it('accept the same contract in any member order and layout (JCS)', () => {
    const reordered = { parameters: { replicas: 3 }, operation: 'scale', target: { name: 'web', kind: 'Deployment', namespace: 'prod' }, platform: 'kubernetes' };
    expect(decide(valid, { contract: reordered }).decision).toBe('allow');
  });

  it('deny a certificate whose own contract does not match its digest', () => {
    const payload = { ...payloadOf(valid), contract: { ...SAMPLE_CONTRACT, operation: 'delete' } };
    expect(decide(forge(HEADER(), JSON.stringify(payload), ed.signingKey)).reason).toBe('contract_mismatch');
  });

  it.each<[string, () => string, Reason]>([
    ['alg none', () => `${encodeBase64url(Buffer.from(JSON.stringify({ alg: 'none', typ: 'seb-cert+jwt', kid: 'eddsa-1' })))}.${valid.split('.')[1]}.`, 'alg_not_allowed'],
    ['alg none with a signature', () => forge(HEADER('none'), JSON.stringify(payloadOf(valid)), ed.signingKey), 'alg_not_allowed'],
    ['HMAC', () => forge(HEADER('HS256'), JSON.stringify(payloadOf(valid)), ed.signingKey), 'alg_not_allowed'],
    ['ES256 claimed for an EdDSA key', () => forge(HEADER('ES256'), JSON.stringify(payloadOf(valid)), ed.signingKey), 'alg_not_allowed'],
    ['unknown kid', () => forge(HEADER('EdDSA', 'other'), JSON.stringify(payloadOf(valid)), ed.signingKey), 'unknown_key'],
    ['key in the header', () => forge(JSON.stringify({ alg: 'EdDSA', typ: 'seb-cert+jwt', kid: 'eddsa-1', jwk: ed.signingKey.publicJwk }), JSON.stringify(payloadOf(valid)), ed.signingKey), 'malformed'],
    ['jku in the header', () => forge(JSON.stringify({ alg: 'EdDSA', typ: 'seb-cert+jwt', kid: 'eddsa-1', jku: 'https://x' }), JSON.stringify(payloadOf(valid)), ed.signingKey), 'malformed'],
    ['crit in the header', () => forge(JSON.stringify({ alg: 'EdDSA', typ: 'seb-cert+jwt', kid: 'eddsa-1', crit: ['exp'] }), JSON.stringify(payloadOf(valid)), ed.signingKey), 'malformed'],
    ['wrong typ', () => forge(JSON.stringify({ alg: 'EdDSA', typ: 'JWT', kid: 'eddsa-1' }), JSON.stringify(payloadOf(valid)), ed.signingKey), 'malformed'],
    ['duplicate header member', () => forge('{"alg":"EdDSA","typ":"seb-cert+jwt","kid":"eddsa-1","alg":"EdDSA"}', JSON.stringify(payloadOf(valid)), ed.signingKey), 'malformed'],
    ['duplicate claim', () => forge(HEADER(), JSON.stringify(payloadOf(valid)).replace(/^\{/, '{"pep":7,'), ed.signingKey), 'malformed'],
    ['unknown claim', () => forge(HEADER(), JSON.stringify({ ...payloadOf(valid), admin: true }), ed.signingKey), 'malformed'],
    ['string exp', () => forge(HEADER(), JSON.stringify({ ...payloadOf(valid), exp: String(NOW_S + 300) }), ed.signingKey), 'malformed'],
    ['fractional iat', () => forge(HEADER(), JSON.stringify({ ...payloadOf(valid), iat: NOW_S + 0.5 }), ed.signingKey), 'malformed'],
    ['empty window', () => forge(HEADER(), JSON.stringify({ ...payloadOf(valid), exp: NOW_S }), ed.signingKey), 'malformed'],
    ['two parts', () => valid.split('.').slice(0, 2).join('.'), 'malformed'],
    ['padding', () => `${valid}=`, 'malformed'],
    ['non-canonical base64url', () => noncanonical(valid), 'malformed'],
    ['oversized', () => `${valid.split('.')[0]}.${'A'.repeat(70_000)}.${valid.split('.')[2]}`, 'malformed'],
  ])('refuse %s', (_, make, reason) => {
    expect(decide(make()).reason).toBe(reason);
  });

  it('refuse a DER-encoded ES256 signature (only the 64-byte form is JWS)', async () => {
    const cert = await issueFor(es);
    const [h, p, s] = cert.split('.') as [string, string, string];
    const raw = Buffer.from(s, 'base64url');
    const der = derFromP1363(raw);
    expect(decide(`${h}.${p}.${encodeBase64url(der)}`, { issuer: es }).reason).toBe('bad_signature');
  });

  it('follow key rotation by kid', async () => {
    const next = await generateSigningKey('ES256', 'es-2');
    const jwks = { keys: [...(ed.jwks.keys as JsonObject[]), next.publicJwk] };
    const rotated: Issuer = { ...ed, policy: { ...ed.policy, trust: trustIssuers([[ISSUER, importKeySet(jwks)]]) } };
    const cert = await issueFor({ ...rotated, privateJwk: next.privateJwk });
    expect(decide(cert, { issuer: rotated }).decision).toBe('allow');
    expect(decide(valid, { issuer: rotated }).decision).toBe('allow');
    expect(decide(cert).reason).toBe('unknown_key');
  });

  it("deny a certificate claiming one trusted issuer but signed with another trusted issuer's key", async () => {
    const other = await makeIssuer('ES256', 'other-1');
    const trust = trustIssuers([
      [ISSUER, importKeySet(ed.jwks)],
      ['sab.other', importKeySet(other.jwks)],
    ]);
    const both: Issuer = { ...ed, policy: { ...ed.policy, trust } };
    // issueFor names ISSUER; signed with the other issuer's key it is not ISSUER's certificate.
    expect(decide(await issueFor(other), { issuer: both }).reason).toBe('wrong_issuer');
    expect(decide(await issueFor(other, { issuer: 'sab.other' }), { issuer: both }).decision).toBe('allow');
    expect(decide(valid, { issuer: both }).decision).toBe('allow');
  });

  it('deny a certificate that also names a broker with its own ledger, unless configured to share ours', async () => {
    const twoBrokers = await issueFor(ed, { audience: ['seb.test', 'seb.elsewhere'] });
    expect(decide(twoBrokers).reason).toBe('wrong_audience');
    const sharing: Issuer = { ...ed, policy: { ...ed.policy, sharedLedgerAudiences: new Set(['seb.elsewhere']) } };
    expect(decide(twoBrokers, { issuer: sharing }).decision).toBe('allow');
  });

  it('decide by the first failing predicate when several fail', async () => {
    const expiredForOthers = await issueFor(ed, { audience: 'someone-else', ttlS: 10 });
    expect(decide(expiredForOthers, { nowMs: (NOW_S + 3600) * 1000 }).reason).toBe('wrong_audience');
    const oldEpoch = await issueFor(ed, { policyEpoch: 1, revocationEpoch: 0 });
    expect(decide(oldEpoch, { state: { policyEpoch: 2, revocation: { floor: 5, revoked: new Set(), asOfMs: 0, maxAgeMs: 0 } } }).reason).toBe('policy_epoch_mismatch');
    const revokedAndChanged = await issueFor(ed, { revocationEpoch: 0 });
    const state = { revocation: { floor: 1, revoked: new Set<string>(), asOfMs: NOW_MS, maxAgeMs: 2000 } };
    expect(decide(revokedAndChanged, { state, contract: { ...SAMPLE_CONTRACT, operation: 'x' } }).reason).toBe('revoked');
  });

  it('decide equal inputs equally', () => {
    fc.assert(
      fc.property(fc.nat({ max: valid.length - 1 }), fc.integer({ min: -400_000, max: 400_000 }), (cut, offsetMs) => {
        const cert = valid.slice(0, cut) + valid.slice(cut + 1);
        const a = decide(cert, { nowMs: NOW_MS + offsetMs });
        const b = decide(cert, { nowMs: NOW_MS + offsetMs });
        expect(a).toEqual(b);
        expect(a.reason === null || REASONS.includes(a.reason)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

describe('predicate 8: proof of possession', () => {
  let agent: SigningKey;
  let bound: string;
  beforeAll(async () => {
    agent = importPrivateJwk((await generateSigningKey('ES256', 'agent-1')).privateJwk);
    bound = await issueFor(ed, { confirmationJkt: agentThumbprint(agent) });
  });

  it('allows a fresh proof by the confirmed key for this broker, certificate and contract', () => {
    const { jti, cdg } = payloadOf(bound) as { jti: string; cdg: string };
    expect(decide(bound, { proof: makeProof(agent, { aud: AUDIENCE, jti, cdg, use: 1 }, NOW_S) }).decision).toBe('allow');
  });

  it('denies a proof made for another broker the certificate also names, and one that names no broker', async () => {
    const forTwo = await issueFor(ed, { audience: [AUDIENCE, 'seb.peer'], confirmationJkt: agentThumbprint(agent) });
    const { jti, cdg } = payloadOf(forTwo) as { jti: string; cdg: string };
    const sharing: Issuer = { ...ed, policy: { ...ed.policy, sharedLedgerAudiences: new Set(['seb.peer']) } };
    expect(decide(forTwo, { issuer: sharing, proof: makeProof(agent, { aud: AUDIENCE, jti, cdg, use: 1 }, NOW_S) }).decision).toBe('allow');
    expect(decide(forTwo, { issuer: sharing, proof: makeProof(agent, { aud: 'seb.peer', jti, cdg, use: 1 }, NOW_S) }).reason).toBe('pop_invalid');
    // The proof an agent made before proofs named their broker.
    const { kid: _k, alg: _a, ...bare } = agent.publicJwk;
    const unnamed = signCompactWithHeader(agent, { typ: 'seb-pop+jwt', jwk: bare }, JSON.stringify({ jti, cdg, iat: NOW_S }));
    expect(decide(forTwo, { issuer: sharing, proof: unnamed }).reason).toBe('pop_invalid');
  });

  it('holds a proof exactly when it names this broker, this certificate and contract, one of its uses, and a time within the skew', async () => {
    const forTwo = await issueFor(ed, { audience: [AUDIENCE, 'seb.peer'], uses: 3, confirmationJkt: agentThumbprint(agent) });
    const claimed = payloadOf(forTwo) as { jti: string; cdg: string };
    const sharing: Issuer = { ...ed, policy: { ...ed.policy, sharedLedgerAudiences: new Set(['seb.peer']) } };
    fc.assert(
      fc.property(fc.constantFrom(AUDIENCE, 'seb.peer', undefined), fc.boolean(), fc.boolean(), fc.integer({ min: -40, max: 40 }), fc.oneof(fc.integer({ min: -1, max: 4 }), fc.constant('1')), (aud, sameJti, sameCdg, offsetS, use) => {
        const { kid: _k, alg: _a, ...bare } = agent.publicJwk;
        const iat = Math.floor(NOW_MS / 1000) + offsetS;
        const payload = { ...(aud === undefined ? {} : { aud }), jti: sameJti ? claimed.jti : 'other-jti', cdg: sameCdg ? claimed.cdg : jcsDigest(['other']), use, iat };
        const proof = signCompactWithHeader(agent, { typ: 'seb-pop+jwt', jwk: bare }, JSON.stringify(payload));
        // The certificate grants 3 uses: a proof names one of them.
        const holds = aud === AUDIENCE && sameJti && sameCdg && typeof use === 'number' && use >= 1 && use <= 3 && Math.abs(NOW_MS - iat * 1000) <= 30_000;
        expect(decide(forTwo, { issuer: sharing, proof }).reason).toBe(holds ? null : 'pop_invalid');
      }),
      { numRuns: 120 },
    );
  });

  it('denies a missing, foreign, misdirected or stale proof', async () => {
    const { jti, cdg } = payloadOf(bound) as { jti: string; cdg: string };
    const other = importPrivateJwk((await generateSigningKey('ES256', 'agent-2')).privateJwk);
    expect(decide(bound).reason).toBe('pop_invalid');
    const aud = AUDIENCE;
    expect(decide(bound, { proof: makeProof(other, { aud, jti, cdg, use: 1 }, NOW_S) }).reason).toBe('pop_invalid');
    expect(decide(bound, { proof: makeProof(agent, { aud, jti: 'another-jti', cdg, use: 1 }, NOW_S) }).reason).toBe('pop_invalid');
    expect(decide(bound, { proof: makeProof(agent, { aud, jti, cdg: jcsDigest({ other: true }), use: 1 }, NOW_S) }).reason).toBe('pop_invalid');
    expect(decide(bound, { proof: makeProof(agent, { aud, jti, cdg, use: 1 }, NOW_S - 120) }).reason).toBe('pop_invalid');
    expect(decide(bound, { proof: 'not.a.proof' }).reason).toBe('pop_invalid');
  });
});

function noncanonical(token: string): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  // The last base64url character of a 64-byte signature carries 4 unused bits.
  const last = s[s.length - 1] as string;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const bumped = alphabet[alphabet.indexOf(last) + 1] as string;
  return `${h}.${p}.${s.slice(0, -1)}${bumped}`;
}

function derFromP1363(sig: Buffer): Buffer {
  const int = (b: Buffer) => {
    let v = b;
    while (v.length > 1 && v[0] === 0 && (v[1] as number) < 0x80) v = v.subarray(1);
    if ((v[0] as number) >= 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const body = Buffer.concat([int(sig.subarray(0, 32)), int(sig.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}
