// The oracle: what a case must decide, known without asking the verifier.
// A valid draft is built from the model, each mutation says which reason it
// causes, and the rules that need arithmetic on the final values (the
// window, a proof's iat, the size caps) are restated in spec.ts. The
// expected reason is the first in predicate order among all of them.
import { MAX_CERTIFICATE_BYTES, MAX_REQUEST_BYTES } from '../../broker/core/limits.js';
import type { Reason } from '../../broker/core/reasons.js';
import type { FuzzInput } from './arbitraries.js';
import { outcome, type FuzzCase } from './case.js';
import { draftFrom, type Draft } from './model.js';
import { applyMutations } from './mutations/index.js';
import { render, type Rendered } from './render.js';
import { firstReason, proofTimeReason, windowReason } from './spec.js';

export function buildCase(input: FuzzInput): FuzzCase {
  const draft = draftFrom(input.base, input.cli);
  applyMutations(draft, input.slots, input.encoding);
  const rendered = render(draft);
  const tags = [...draft.tags, ...rendered.tags];
  return { ...rendered.fuzzCase, tags, expected: outcome(expectedReason(draft, rendered)) };
}

export function expectedReason(d: Draft, r: Rendered): Reason | null {
  const { iat, nbf, exp } = d.claims;
  const c = r.fuzzCase;
  return firstReason([
    ...d.tags.map((t) => t.expect),
    ...r.tags.map((t) => t.expect),
    c.certificate.length > MAX_CERTIFICATE_BYTES || c.request.length > MAX_REQUEST_BYTES ? 'malformed' : null,
    windowReason({ iat, nbf, exp }, d.nowMs, d.policy.maxSkewS, d.policy.maxLifetimeS),
    d.agent !== null && r.proofIatS !== null ? proofTimeReason(r.proofIatS, d.nowMs, d.policy.maxSkewS) : null,
  ]);
}
