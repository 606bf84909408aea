// The revocation view port (predicate 6): what the broker knows of
// revocations, and since when. A fixed list from configuration, the SAB's
// feed, or an etcd watch all implement it.
import type { RevocationView } from '../predicates/context.js';

/**
 * A view that may also carry the SAB's policy epoch (predicate 5). The epoch
 * travels with the revocations because the SAB publishes both on one feed:
 * one snapshot, known current as of the same instant.
 */
export interface RevocationFeedView extends RevocationView {
  /** Absent when the source publishes no epoch: the broker's configured one holds. */
  readonly policyEpoch?: number;
}

export interface RevocationSource {
  /** The view now; its `asOfMs` says when it was last known to be current. */
  view(): RevocationFeedView;
  close(): Promise<void>;
}
