// Issuer, audience, policy epoch and revocation: values the certificate or
// the broker's state hold, changed and re-signed. Each expected reason is
// the rule applied to the new values (a change that happens to leave them
// equal expects nothing).
import { otherIdentifier, type Mutation, type Slot } from './mutation.js';
import type { Draft } from '../model.js';
import { audienceReason as audienceRule, revocationReason } from '../spec.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function issuerReason(d: Draft) {
  return d.claims.iss === d.policy.issuer ? null : 'wrong_issuer';
}

function audienceReason(d: Draft) {
  return audienceRule(d.claims.aud, d.policy.audience, d.policy.sharedLedgerAudiences);
}

/** An audience that is not ours (and short, so the claim stays well formed). */
function otherAudience(d: Draft, name: string): string {
  return name === d.policy.audience ? `${name}-2` : name;
}

function swapCase(s: string): string {
  return [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}

export const ISSUER: Slot = {
  name: 'issuer',
  emptyWeight: 8,
  mutations: [
    { name: 'iss-other', apply: (d) => ((d.claims.iss = otherIdentifier(str(d.claims.iss))), issuerReason(d)) },
    { name: 'iss-case', apply: (d) => ((d.claims.iss = swapCase(str(d.claims.iss))), issuerReason(d)) },
    { name: 'policy-issuer-other', apply: (d) => ((d.policy.issuer = otherIdentifier(d.policy.issuer)), issuerReason(d)) },
  ] satisfies Mutation[],
};

export const AUDIENCE: Slot = {
  name: 'audience',
  emptyWeight: 8,
  mutations: [
    { name: 'aud-other', apply: (d) => ((d.claims.aud = [otherIdentifier(d.policy.audience)]), audienceReason(d)) },
    { name: 'aud-other-string', apply: (d) => ((d.claims.aud = otherIdentifier(d.policy.audience)), audienceReason(d)) },
    { name: 'policy-audience-other', apply: (d) => ((d.policy.audience = otherIdentifier(d.policy.audience)), audienceReason(d)) },
    { name: 'aud-string', apply: (d) => ((d.claims.aud = d.policy.audience), audienceReason(d)) },
    {
      // Sixteen entries, the most a certificate may name, ours last; all sharing our ledger.
      name: 'aud-sixteen',
      apply: (d) => {
        const others = Array.from({ length: 15 }, (_, i) => `broker-${i}`);
        d.claims.aud = [...others, d.policy.audience];
        d.policy.sharedLedgerAudiences = others;
        return audienceReason(d);
      },
    },
    {
      // Also names a broker with a ledger of its own: it could spend each use there too.
      name: 'aud-unshared',
      apply: (d) => {
        const aud = d.claims.aud;
        d.claims.aud = [...(Array.isArray(aud) ? aud : typeof aud === 'string' ? [aud] : []), otherAudience(d, 'broker.elsewhere')];
        return audienceReason(d);
      },
    },
    {
      // A second audience that the verifier says shares its ledger.
      name: 'aud-shared',
      apply: (d) => {
        const aud = d.claims.aud;
        const peer = otherAudience(d, 'broker.peer');
        d.claims.aud = [peer, ...(Array.isArray(aud) ? aud : typeof aud === 'string' ? [aud] : [])];
        d.policy.sharedLedgerAudiences.push(peer);
        return audienceReason(d);
      },
    },
  ] satisfies Mutation[],
};

export const EPOCH: Slot = {
  name: 'epoch',
  emptyWeight: 8,
  mutations: [
    { name: 'pep-next', apply: (d) => ((d.claims.pep = d.policy.policyEpoch + 1), epochReason(d)) },
    { name: 'policy-next', apply: (d) => ((d.policy.policyEpoch += 1), epochReason(d)) },
    {
      name: 'policy-previous',
      apply: (d) => {
        d.policy.policyEpoch = d.policy.policyEpoch > 0 ? d.policy.policyEpoch - 1 : 1;
        return epochReason(d);
      },
    },
    { name: 'pep-max-safe', apply: (d) => ((d.claims.pep = Number.MAX_SAFE_INTEGER), epochReason(d)) },
  ] satisfies Mutation[],
};

function epochReason(d: Draft) {
  return d.claims.pep === d.policy.policyEpoch ? null : 'policy_epoch_mismatch';
}

function judged(d: Draft) {
  return revocationReason({ rep: d.claims.rep, jti: d.claims.jti, ...d.revocation });
}

const rep = (d: Draft): number => (typeof d.claims.rep === 'number' ? d.claims.rep : 0);

export const REVOCATION: Slot = {
  name: 'revocation',
  emptyWeight: 6,
  mutations: [
    { name: 'floor-above-rep', apply: (d) => ((d.revocation.floor = rep(d) + 1), judged(d)) },
    { name: 'floor-at-rep', apply: (d) => ((d.revocation.floor = rep(d)), judged(d)) },
    {
      name: 'rep-below-floor',
      apply: (d) => {
        if (d.revocation.floor === 0) d.revocation.floor = 1;
        d.claims.rep = d.revocation.floor - 1;
        return judged(d);
      },
    },
    { name: 'jti-listed', apply: (d) => (d.revocation.revoked.push(str(d.claims.jti)), judged(d)) },
    {
      name: 'jti-near-listed',
      apply: (d) => {
        const jti = str(d.claims.jti);
        // Same length, one character different: still a valid id.
        d.revocation.revoked.push(`${jti.slice(0, -1)}${jti.endsWith('A') ? 'B' : 'A'}`);
        return judged(d);
      },
    },
    { name: 'view-stale', inProcessOnly: true, apply: (d, p) => ((d.revocation.ageMs = d.revocation.maxAgeMs + 1 + (p % 5000)), judged(d)) },
    { name: 'view-at-bound', inProcessOnly: true, apply: (d) => ((d.revocation.ageMs = d.revocation.maxAgeMs), judged(d)) },
    {
      name: 'listed-and-stale',
      inProcessOnly: true,
      apply: (d) => {
        d.revocation.revoked.push(str(d.claims.jti));
        d.revocation.ageMs = d.revocation.maxAgeMs + 1;
        return judged(d);
      },
    },
  ] satisfies Mutation[],
};
