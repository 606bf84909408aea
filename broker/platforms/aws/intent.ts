// For reconciliation after a crash: does the live projection show the
// certified mutation done? Pure. Each answer compares only what the
// projection can show for certain; where it cannot (the content of an object
// encrypted with KMS, whose ETag is not its MD5; a SecureString, read without
// decryption) the answer is false, and reconciliation says `failed` only if
// the live state is still the pre-state, else `unknown`: never a guess.
import { createHash } from 'node:crypto';
import { canonicalize } from '../../core/jcs.js';
import type { LiveState } from '../../core/predicates/drift.js';
import { isJsonObject } from '../../core/strict-json.js';
import { attributeValue } from './dynamodb-update.js';
import type { AwsPlan } from './operations.js';
import { ingressRuleName } from './projection.js';

export function matchesIntent(plan: AwsPlan, live: LiveState): boolean {
  const state = live.state;
  if (!isJsonObject(state)) return false;
  switch (plan.action) {
    case 's3:PutObject': {
      if (state.exists !== true || (state.encryption !== null && state.encryption !== 'AES256')) return false;
      // S3's ETag of an object written in one part without KMS is the MD5 of its bytes (a name, not a security check).
      return state.etag === `"${createHash('md5').update(plan.body, 'utf8').digest('hex')}"`;
    }
    case 'ssm:PutParameter':
      return state.exists === true && state.type !== 'SecureString' && state.value === plan.value;
    case 'ec2:AuthorizeSecurityGroupIngress': {
      const { protocol, fromPort, toPort, cidr } = plan.rule;
      return Array.isArray(state.ingress) && state.ingress.includes(ingressRuleName(protocol, `${fromPort}-${toPort}`, cidr));
    }
    case 'dynamodb:UpdateItem': {
      const attributes = state.attributes;
      if (state.exists !== true || !isJsonObject(attributes)) return false;
      return Object.entries(plan.set).every(([name, v]) => attributes[name] !== undefined && canonicalize(attributes[name]) === canonicalize(attributeValue(v)));
    }
  }
}
