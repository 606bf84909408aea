// What a decision record says about a decision: shared by the broker and by
// `seb verify --log`, so a log reads the same whoever wrote it.
import type { DecisionInput } from './core/ports/record-log.js';
import type { Decided } from './decide.js';

export function decisionRecordInput(decided: Decided): DecisionInput {
  const claims = decided.verified.certificate?.claims;
  const { decision } = decided;
  if (decision.decision === 'allow' && claims !== undefined) {
    return { decision: 'allow', reason: null, jti: claims.jti, iss: claims.iss, sub: claims.sub, cdg: claims.cdg, phases: decided.phases };
  }
  // Before the signature passed, these are what the request claimed, nothing more.
  return {
    decision: 'deny',
    reason: decision.reason ?? 'malformed',
    jti: claims?.jti ?? null,
    iss: claims?.iss ?? null,
    sub: claims?.sub ?? null,
    cdg: claims?.cdg ?? null,
    phases: decided.phases,
  };
}
