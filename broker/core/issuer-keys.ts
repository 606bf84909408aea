// Trusted issuers, each with its own keys. A signature proves which key
// signed, and so which issuer: a certificate claiming issuer A but signed
// with issuer B's key is refused (wrong_issuer), not accepted as A's. A kid
// names one key of one issuer, so the key (and its owner) is found by kid
// alone, before the claims are trusted.
import { InvalidInputError } from './errors.js';
import type { KeySet, TrustedKey } from './keys.js';

export interface IssuerKey extends TrustedKey {
  /** The one issuer this key signs for. */
  readonly issuer: string;
}

export interface IssuerTrust {
  readonly issuers: ReadonlySet<string>;
  /** Every trusted key by kid. */
  readonly keys: ReadonlyMap<string, IssuerKey>;
}

/** Refuses an issuer named twice, an issuer without keys, and a kid two issuers share (which would blur who signed). */
export function trustIssuers(byIssuer: Iterable<readonly [string, KeySet]>, what = 'trusted issuers'): IssuerTrust {
  const issuers = new Set<string>();
  const keys = new Map<string, IssuerKey>();
  for (const [issuer, set] of byIssuer) {
    if (issuers.has(issuer)) throw new InvalidInputError(`${what}: issuer ${JSON.stringify(issuer)} named twice`);
    if (set.size === 0) throw new InvalidInputError(`${what}: issuer ${JSON.stringify(issuer)} has no keys`);
    issuers.add(issuer);
    for (const key of set.values()) {
      const owner = keys.get(key.kid);
      if (owner !== undefined) throw new InvalidInputError(`${what}: kid ${key.kid} belongs to both ${JSON.stringify(owner.issuer)} and ${JSON.stringify(issuer)}`);
      keys.set(key.kid, { ...key, issuer });
    }
  }
  if (issuers.size === 0) throw new InvalidInputError(`${what}: none`);
  return { issuers, keys };
}
