// Predicate 10: the live state is the state the certificate expected. The
// digest decides: a version that moved while the relevant state came back to
// what was certified (a status write, an A-B-A) is not drift. The version
// observed here, not the certified one, becomes the write's precondition, so
// the window between this check and the write is closed. With no expectation
// certified, nothing can be confirmed, so it is drift.
import type { PreState } from '../certificate/claims.js';
import { jcsDigest } from '../digest.js';
import type { Reason } from '../reasons.js';
import type { JsonValue } from '../strict-json.js';

export interface LiveState {
  readonly state: JsonValue;
  /** The platform's version of the object (resourceVersion, ETag), where it has one. */
  readonly version?: string;
}

export function checkDrift(pre: PreState | undefined, live: LiveState): Reason | null {
  if (pre === undefined) return 'drift';
  return jcsDigest(live.state) === pre.digest ? null : 'drift';
}
