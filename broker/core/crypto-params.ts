// Every constant input to cryptography lives here, so that a reviewer reads
// one file to know what the broker accepts and produces.

/** JWS algorithms a certificate, proof or record may use. Never `none`, never HMAC. */
export const ALLOWED_ALGS = ['EdDSA', 'ES256'] as const;
export type Alg = (typeof ALLOWED_ALGS)[number];

export function isAllowedAlg(alg: unknown): alg is Alg {
  return typeof alg === 'string' && (ALLOWED_ALGS as readonly string[]).includes(alg);
}

/** The JWK shape each algorithm requires: no other curve is ever imported. */
export const ALG_KEY_SHAPE: Readonly<Record<Alg, { kty: 'OKP' | 'EC'; crv: 'Ed25519' | 'P-256' }>> = {
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  ES256: { kty: 'EC', crv: 'P-256' },
};

/** Node's crypto.verify digest argument per algorithm (Ed25519 hashes internally). */
export const ALG_DIGEST: Readonly<Record<Alg, 'sha256' | null>> = {
  EdDSA: null,
  ES256: 'sha256',
};

/** JWS `typ` of each kind of signed object. */
export const TYP_CERTIFICATE = 'seb-cert+jwt';
export const TYP_PROOF = 'seb-pop+jwt';
export const TYP_RECORD = 'seb-record+jws';
export const TYP_TREE_HEAD = 'seb-sth+jws';

/** Digest used for contract, state and record hashes. */
export const DIGEST_ALG = 'sha256';

/** RFC 9162 section 2.1.1 domain separation prefixes for the Merkle tree. */
export const MERKLE_LEAF_PREFIX = 0x00;
export const MERKLE_NODE_PREFIX = 0x01;
