// A revocation view fixed by configuration: it is current by definition, so
// it never goes stale. For a single broker whose revocations come with its
// configuration; brokers that must learn revocations live use a feed.
import type { RevocationSource } from '../../core/ports/revocation.js';
import type { RevocationView } from '../../core/predicates/context.js';

export function staticRevocation(fixed: { floor: number; revoked: readonly string[]; maxAgeMs: number }, clock: () => number): RevocationSource {
  const revoked = new Set(fixed.revoked);
  return {
    view: (): RevocationView => ({ floor: fixed.floor, revoked, asOfMs: clock(), maxAgeMs: fixed.maxAgeMs }),
    close: async () => {},
  };
}
