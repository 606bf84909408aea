// Names STS attaches to a session, derived from the certificate. STS allows
// [\w+=,.@-]{2,64} for RoleSessionName and SourceIdentity; a jti may hold `:`
// and be up to 128 characters, a subject any printable ASCII. A value that
// already fits is kept verbatim (readable in CloudTrail); any other is
// cleaned and suffixed with a hash of the original, so two different values
// never share a name by accident. The exact jti also travels as a session tag.
import { createHash } from 'node:crypto';
import type { Claims } from '../../core/certificate/claims.js';

const STS_NAME = /^[\w+=,.@-]{2,64}$/;
const HASH_CHARS = 16;

export function awsName(value: string): string {
  if (STS_NAME.test(value)) return value;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, HASH_CHARS);
  const clean = value.replace(/[^\w+=,.@-]/g, '_').slice(0, 64 - HASH_CHARS - 1);
  return `${clean}.${hash}`;
}

export const TAG_JTI = 'seb-jti';
export const TAG_POLICY_EPOCH = 'seb-pep';

/** Session tags: the certificate id and the policy epoch it was admitted under (keys must not start with `aws:`). */
export function sessionTags(claims: Claims): { Key: string; Value: string }[] {
  return [
    { Key: TAG_JTI, Value: claims.jti },
    { Key: TAG_POLICY_EPOCH, Value: String(claims.pep) },
  ];
}
