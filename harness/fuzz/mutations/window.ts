// Time edges: the validity window and the lifetime cap, hit exactly. In
// process the edges are one millisecond apart; through `seb verify`, whose
// --now is whole seconds, one second. The expected reason is the window
// rule's arithmetic on the final values.
import type { Reason } from '../../../broker/core/reasons.js';
import { validProofOffset, type Draft } from '../model.js';
import { windowReason } from '../spec.js';
import type { Mutation, Slot } from './mutation.js';

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const unit = (d: Draft): number => (d.cli ? 1000 : 1);
const step = (p: number): number => (p % 3) - 1; // -1, 0, +1

function setNow(d: Draft, ms: number, p: number): void {
  d.nowMs = Math.max(0, ms);
  // Keep a valid proof valid at the new time: only the window is under test.
  if (d.proof !== null && d.proof.raw === null && d.proof.iat === undefined) d.proof.iatOffsetS = validProofOffset(p, d.nowMs, d.policy.maxSkewS);
}

function judged(d: Draft): Reason | null {
  const { iat, nbf, exp } = d.claims;
  return windowReason({ iat, nbf, exp }, d.nowMs, d.policy.maxSkewS, d.policy.maxLifetimeS);
}

function edit(name: string, change: (d: Draft, p: number) => void): Mutation {
  return {
    name,
    apply(d, p) {
      change(d, p);
      return judged(d);
    },
  };
}

const nbfOf = (d: Draft): number => num(d.claims.nbf ?? d.claims.iat);
const skewMs = (d: Draft): number => d.policy.maxSkewS * 1000;

export const WINDOW: Slot = {
  name: 'window',
  emptyWeight: 5,
  mutations: [
    edit('nbf-edge', (d, p) => setNow(d, nbfOf(d) * 1000 - skewMs(d) + step(p) * unit(d), p)),
    edit('iat-edge', (d, p) => {
      delete d.claims.nbf;
      setNow(d, num(d.claims.iat) * 1000 - skewMs(d) + step(p) * unit(d), p);
    }),
    edit('exp-edge', (d, p) => setNow(d, num(d.claims.exp) * 1000 + skewMs(d) + step(p) * unit(d), p)),
    edit('lifetime-edge', (d, p) => {
      const iat = num(d.claims.iat);
      d.claims.nbf = iat;
      d.claims.exp = iat + d.policy.maxLifetimeS + step(p);
      setNow(d, iat * 1000, p);
    }),
    edit('before-window', (d, p) => setNow(d, nbfOf(d) * 1000 - skewMs(d) - (1 + (p % 100_000)) * 1000, p)),
    edit('after-window', (d, p) => setNow(d, num(d.claims.exp) * 1000 + skewMs(d) + (1 + (p % 100_000)) * 1000, p)),
    edit('nbf-before-iat', (d) => {
      const iat = num(d.claims.iat);
      if (iat >= 1) d.claims.nbf = iat - 1;
      else {
        d.claims.iat = 1;
        d.claims.nbf = 0;
      }
    }),
    edit('exp-at-nbf', (d) => {
      d.claims.exp = nbfOf(d);
    }),
    edit('exp-unsafe', (d) => {
      d.claims.exp = 2 ** 53;
    }),
    edit('exp-max-safe', (d) => {
      d.claims.exp = Number.MAX_SAFE_INTEGER;
    }),
    edit('epoch-zero', (d, p) => {
      d.claims.iat = 0;
      delete d.claims.nbf;
      d.claims.exp = d.policy.maxLifetimeS;
      setNow(d, (p % (d.policy.maxLifetimeS * 1000)) - ((p % (d.policy.maxLifetimeS * 1000)) % unit(d)), p);
    }),
    edit('no-skew', (d, p) => {
      d.policy.maxSkewS = 0;
      setNow(d, d.nowMs, p);
    }),
    edit('lifetime-cap-one', (d) => {
      d.policy.maxLifetimeS = 1;
    }),
  ],
};
