// The key layout under a deployment's prefix (default /seb), in one place:
//   <prefix>/ledger/<base64url sha256 of [issuer, jti]>   replay ledger entry (JSON)
//   <prefix>/revocation/floor                             revocation floor (decimal)
//   <prefix>/revocation/epoch                             policy epoch (decimal)
//   <prefix>/revocation/jti/<jti>                         one revoked certificate (value: when, unix ms)
// No segment is user bytes except a jti, which JTI_PATTERN keeps free of '/'.

export const DEFAULT_ETCD_PREFIX = '/seb';

/** A prefix is absolute, without a trailing slash, in plain segments. */
export const PREFIX_PATTERN = /^(\/[A-Za-z0-9._-]+)+$/;

export function keyUnder(prefix: string, ...segments: readonly string[]): Buffer {
  return Buffer.from([prefix, ...segments].join('/'), 'utf8');
}

export type RevocationKey = { readonly kind: 'floor' } | { readonly kind: 'epoch' } | { readonly kind: 'jti'; readonly jti: string };

export const revocationKeys = (prefix: string) => ({
  /** Every revocation key starts with this: for a range or a watch. */
  area: `${prefix}/revocation/`,
  floor: keyUnder(prefix, 'revocation', 'floor'),
  epoch: keyUnder(prefix, 'revocation', 'epoch'),
  jti: (jti: string) => keyUnder(prefix, 'revocation', 'jti', jti),
});

/** What a key under the revocation area names; undefined for a key this broker does not know. */
export function readRevocationKey(prefix: string, key: Buffer): RevocationKey | undefined {
  const area = `${prefix}/revocation/`;
  const text = key.toString('utf8');
  if (!text.startsWith(area)) return undefined;
  const rest = text.slice(area.length);
  if (rest === 'floor' || rest === 'epoch') return { kind: rest };
  if (rest.startsWith('jti/') && rest.length > 4) return { kind: 'jti', jti: rest.slice(4) };
  return undefined;
}
