// Predicates 3, 5, 6 and 10: each over the claims and a piece of broker state.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Claims, PreState } from '../certificate/claims.js';
import { jcsDigest } from '../digest.js';
import type { IssuerKey } from '../issuer-keys.js';
import { checkDrift } from './drift.js';
import { checkIssuer } from './issuer.js';
import { checkPolicyEpoch } from './policy-epoch.js';
import { checkRevocation } from './revocation.js';

/** Only the claims a predicate reads; the rest do not matter to it. */
const claims = (partial: Partial<Claims>) => partial as Claims;
const token = fc.stringMatching(/^[a-z0-9.-]{1,12}$/);

describe('predicate 3: issuer and audience', () => {
  it('accepts only a trusted issuer signing with its own key, then only a certificate naming us and no broker with another ledger', () => {
    fc.assert(
      fc.property(
        fc.record({
          trusted: fc.uniqueArray(token, { minLength: 1, maxLength: 4 }),
          signerDraw: fc.nat(),
          claimsSigner: fc.boolean(),
          otherIss: token,
          ours: token,
          others: fc.array(token, { maxLength: 3 }),
          namesUs: fc.boolean(),
          shared: fc.uniqueArray(token, { maxLength: 3 }),
          sharesOthers: fc.boolean(),
        }),
        ({ trusted, signerDraw, claimsSigner, otherIss, ours, others, namesUs, shared, sharesOthers }) => {
          // Each trusted issuer owns one key, named after it.
          const signer = trusted[signerDraw % trusted.length] as string;
          const trust = { issuers: new Set(trusted), keys: new Map(trusted.map((i) => [`k:${i}`, { issuer: i } as IssuerKey])) };
          const iss = claimsSigner ? signer : otherIss;
          const aud = namesUs || others.length === 0 ? [...others, ours] : others;
          const sharedLedgerAudiences = new Set(sharesOthers ? [...shared, ...others] : shared);
          const reason = checkIssuer(claims({ iss, aud }), `k:${signer}`, trust, { audience: ours, sharedLedgerAudiences });
          const expected =
            !trusted.includes(iss) || iss !== signer
              ? 'wrong_issuer'
              : !aud.includes(ours) || aud.some((a) => a !== ours && !sharedLedgerAudiences.has(a))
                ? 'wrong_audience'
                : null;
          expect(reason).toBe(expected);
        },
      ),
    );
  });
});

describe('predicate 5: policy epoch', () => {
  it('accepts exactly the epoch in force', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (pep, current) => {
        expect(checkPolicyEpoch(claims({ pep }), current)).toBe(pep === current ? null : 'policy_epoch_mismatch');
      }),
    );
  });
});

describe('predicate 6: revocation', () => {
  const view = fc.record({
    floor: fc.nat(20),
    revoked: fc.uniqueArray(token, { maxLength: 5 }).map((a) => new Set(a)),
    asOfMs: fc.nat(1_000_000),
    maxAgeMs: fc.nat(5000),
  });
  it('denies below the floor, on the list, and when the view is older than its bound', () => {
    fc.assert(
      fc.property(view, fc.nat(20), token, fc.nat(10_000), (v, rep, jti, ageMs) => {
        const now = v.asOfMs + ageMs;
        const reason = checkRevocation(claims({ rep, jti }), v, now);
        const expected = rep < v.floor || v.revoked.has(jti) ? 'revoked' : ageMs > v.maxAgeMs ? 'revocation_stale' : null;
        expect(reason).toBe(expected);
      }),
    );
  });
  it('never accepts after the bound has passed, whatever else holds', () => {
    fc.assert(
      fc.property(view, fc.nat(20), token, fc.integer({ min: 1, max: 10_000 }), (v, rep, jti, past) => {
        expect(checkRevocation(claims({ rep, jti }), v, v.asOfMs + v.maxAgeMs + past)).not.toBeNull();
      }),
    );
  });
});

describe('predicate 10: drift', () => {
  it('passes exactly when the live state has the certified digest', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3 }), (certified, live) => {
        const pre: PreState = { digest: jcsDigest(certified as never) };
        const same = jcsDigest(certified as never) === jcsDigest(live as never);
        expect(checkDrift(pre, { state: live as never })).toBe(same ? null : 'drift');
        expect(checkDrift(pre, { state: certified as never, version: 'any' })).toBeNull();
      }),
    );
  });
  it('is drift when nothing was certified', () => {
    expect(checkDrift(undefined, { state: {} })).toBe('drift');
  });
});
