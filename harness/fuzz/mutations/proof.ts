// Proof of possession. Every mutation but `unbound-garbage` first makes the
// certificate confirm an agent key (cnf), so the proof is required; then
// breaks one thing about it. A proof the certificate does not ask for is
// ignored, whatever it is.
import { agentThumbprint } from '../../../broker/agent/proof.js';
import { agentKey } from '../keys.js';
import { validProof, validProofOffset, type Draft, type ProofPlan } from '../model.js';
import { proofTimeReason } from '../spec.js';
import type { Mutation, Slot } from './mutation.js';

function bind(d: Draft, p: number): ProofPlan {
  if (d.agent === null) {
    d.agent = p % 2;
    d.claims.cnf = { jkt: agentThumbprint(agentKey(d.agent).signing) };
  }
  d.proof ??= validProof(validProofOffset(p, d.nowMs, d.policy.maxSkewS));
  return d.proof;
}

function broken(name: string, change: (plan: ProofPlan, d: Draft, p: number) => void): Mutation {
  return {
    name,
    apply(d, p) {
      change(bind(d, p), d, p);
      return 'pop_invalid';
    },
  };
}

export const PROOF: Slot = {
  name: 'proof',
  emptyWeight: 6,
  mutations: [
    {
      name: 'missing',
      apply: (d, p) => {
        bind(d, p);
        d.proof = null;
        return 'pop_invalid';
      },
    },
    {
      name: 'unbound-garbage',
      apply: (d) => {
        d.agent = null;
        delete d.claims.cnf;
        d.proof = { ...validProof(0), raw: 'not-a-proof' };
        return null;
      },
    },
    {
      // iat one step either side of now - skew and now + skew.
      name: 'iat-edge',
      apply: (d, p) => {
        const plan = bind(d, p);
        const skewMs = d.policy.maxSkewS * 1000;
        const edge = p % 2 === 0 ? d.nowMs - skewMs : d.nowMs + skewMs;
        const iatS = Math.floor(edge / 1000) + (Math.floor(p / 2) % 3) - 1 + (edge % 1000 === 0 ? 0 : p % 2);
        plan.iatOffsetS = iatS - Math.floor(d.nowMs / 1000);
        return proofTimeReason(iatS, d.nowMs, d.policy.maxSkewS);
      },
    },
    broken('signed-by-other-key', (plan) => {
      plan.signer = 'other';
      plan.headerKey = 'other';
    }),
    broken('header-key-not-signer', (plan) => {
      plan.signer = 'other';
    }),
    broken('private-key-in-header', (plan) => {
      plan.headerKey = 'agent-private';
    }),
    broken('aud-other-broker', (plan) => {
      plan.aud = 'other';
    }),
    broken('aud-missing', (plan) => {
      plan.aud = 'missing';
    }),
    broken('use-zero', (plan) => {
      plan.use = 'zero';
    }),
    broken('use-over-uses', (plan) => {
      plan.use = 'over';
    }),
    broken('use-string', (plan) => {
      plan.use = 'string';
    }),
    broken('wrong-jti', (plan) => {
      plan.jti = 'other';
    }),
    broken('wrong-cdg', (plan) => {
      plan.cdg = 'other';
    }),
    broken('extra-payload-member', (plan) => {
      plan.extraPayload = ['nonce', 1];
    }),
    broken('iat-string', (plan, d) => {
      plan.iat = String(Math.floor(d.nowMs / 1000));
    }),
    broken('typ-certificate', (plan) => {
      plan.typ = 'seb-cert+jwt';
    }),
    broken('typ-missing', (plan) => {
      plan.typ = null;
    }),
    broken('kid-in-header', (plan) => {
      plan.extraHeader = ['kid', 'agent'];
    }),
    broken('alg-none', (plan) => {
      plan.alg = 'none';
    }),
    broken('alg-of-other-curve', (plan, d) => {
      plan.alg = agentKey(d.agent ?? 0).alg === 'EdDSA' ? 'ES256' : 'EdDSA';
    }),
    broken('garbage', (plan) => {
      plan.raw = 'x.y.z';
    }),
  ],
};
