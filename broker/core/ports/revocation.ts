// The revocation view port (predicate 6): what the broker knows of
// revocations, and since when. A fixed list from configuration, the SAB's
// feed, or an etcd watch all implement it.
import type { RevocationView } from '../predicates/context.js';

export interface RevocationSource {
  /** The view now; its `asOfMs` says when it was last known to be current. */
  view(): RevocationView;
  close(): Promise<void>;
}
