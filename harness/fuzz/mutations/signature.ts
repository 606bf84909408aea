// Header and signature: algorithms off the allowlist or not matching the
// key, keys carried in the header, kids nobody trusts, another key's
// signature, and signature bytes changed after signing. The header is read
// before anything else, so its own shape errors are `malformed`.
import type { Reason } from '../../../broker/core/reasons.js';
import { ISSUER_POOL_SIZE, issuerKey } from '../keys.js';
import { signerAlg, type Draft, type SignaturePlan } from '../model.js';
import { setMember, type Mutation, type Slot } from './mutation.js';

function sig(name: string, expect: Reason | null, change: (d: Draft, p: number) => void): Mutation {
  return { name, apply: (d, p) => (change(d, p), expect) };
}

function tamper(name: string, kind: SignaturePlan['tamper']): Mutation {
  return sig(name, 'bad_signature', (d, p) => {
    d.signature.tamper = kind;
    d.signature.at = p;
  });
}

/** Another pool key than the signer; with `sameAlg`, one of the signer's algorithm. */
function otherKey(d: Draft, p: number, sameAlg: boolean): number {
  const candidates = Array.from({ length: ISSUER_POOL_SIZE }, (_, i) => i).filter(
    (i) => i !== d.signer && (issuerKey(i).alg === signerAlg(d)) === sameAlg,
  );
  return candidates[p % candidates.length] as number;
}

function trust(d: Draft, index: number): void {
  if (!d.trusted.includes(index)) d.trusted.push(index);
}

const FOREIGN_ALGS = ['none', 'HS256', 'RS256', 'PS256', 'ES384', 'ES512', 'ES256K', 'Ed25519', 'eddsa', 'EDDSA', 'es256', '', ' EdDSA'];
const KEY_CARRYING = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'crit', 'cty', 'b64', 'zip', 'nonce'];

export const SIGNATURE: Slot = {
  name: 'signature',
  emptyWeight: 3,
  mutations: [
    sig('rotated-key', null, (d, p) => {
      const next = otherKey(d, p, p % 2 === 0);
      trust(d, next);
      d.signer = next;
      d.header.alg = issuerKey(next).alg;
      d.header.kid = issuerKey(next).kid;
    }),
    sig('alg-none-unsigned', 'alg_not_allowed', (d) => {
      d.header.alg = 'none';
      d.signature.by = { kind: 'none' };
    }),
    sig('alg-none-signed', 'alg_not_allowed', (d) => {
      d.header.alg = 'none';
    }),
    sig('alg-hs256-public-key-as-secret', 'alg_not_allowed', (d) => {
      d.header.alg = 'HS256';
      d.signature.by = { kind: 'hmac' };
    }),
    sig('alg-foreign', 'alg_not_allowed', (d, p) => {
      d.header.alg = FOREIGN_ALGS[p % FOREIGN_ALGS.length] as string;
    }),
    sig('alg-other-allowed', 'alg_not_allowed', (d) => {
      d.header.alg = signerAlg(d) === 'EdDSA' ? 'ES256' : 'EdDSA';
    }),
    sig('kid-of-other-alg-key', 'alg_not_allowed', (d, p) => {
      const other = otherKey(d, p, false);
      trust(d, other);
      d.header.kid = issuerKey(other).kid;
    }),
    sig('alg-not-string', 'malformed', (d, p) => {
      d.header.alg = [1, null, ['EdDSA']][p % 3] as number | null | string[];
    }),
    sig('typ-missing', 'malformed', (d) => delete d.header.typ),
    sig('typ-jwt', 'malformed', (d) => (d.header.typ = 'JWT')),
    sig('typ-proof', 'malformed', (d) => (d.header.typ = 'seb-pop+jwt')),
    sig('typ-upper-case', 'malformed', (d) => (d.header.typ = 'SEB-CERT+JWT')),
    sig('kid-missing', 'malformed', (d) => delete d.header.kid),
    sig('kid-number', 'malformed', (d) => (d.header.kid = 1)),
    sig('header-member', 'malformed', (d, p) => {
      const name = KEY_CARRYING[p % KEY_CARRYING.length] as string;
      setMember(d.header, name, name === 'jwk' ? issuerKey(d.signer).publicJwk : name === 'crit' ? ['exp'] : name === 'b64' ? false : 'https://attacker.example/k');
    }),
    sig('kid-unknown', 'unknown_key', (d, p) => (d.header.kid = `unknown-${p % 1000}`)),
    sig('kid-empty', 'unknown_key', (d) => (d.header.kid = '')),
    sig('kid-upper-case', 'unknown_key', (d) => (d.header.kid = String(d.header.kid).toUpperCase())),
    sig('signer-not-trusted', 'unknown_key', (d, p) => {
      d.trusted = d.trusted.filter((i) => i !== d.signer);
      if (d.trusted.length === 0) d.trusted.push(otherKey(d, p, p % 2 === 0));
    }),
    sig('signed-by-other-key-same-kid', 'bad_signature', (d, p) => {
      d.signature.by = { kind: 'pool', index: otherKey(d, p, true) };
    }),
    tamper('signature-bit-flipped', 'flip'),
    tamper('signature-truncated', 'truncate'),
    tamper('signature-extended', 'extend'),
    tamper('signature-empty', 'empty'),
    tamper('signature-der-encoded', 'der'),
    tamper('payload-changed-after-signing', 'payload-after'),
    {
      // (r, n - s) verifies too: ECDSA is malleable. The ledger keys uses on jti,
      // never on token bytes, so a second spelling buys no second use.
      name: 'es256-malleated',
      apply: (d, p) => {
        if (signerAlg(d) === 'ES256') {
          d.signature.tamper = 'malleate';
          return null;
        }
        d.signature.tamper = 'flip';
        d.signature.at = p;
        return 'bad_signature';
      },
    },
  ],
};
