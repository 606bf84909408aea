// Leases for ledger entries, shared per minute of expiry. A lease per entry
// would add a grant to every consume and leave one lease per certificate in
// etcd; a lease that ends at the end of the entry's minute still covers it,
// and one grant then serves every certificate retained until that minute.
import type { Etcd3 } from 'etcd3';
import { IoError } from '../../core/errors.js';

const BUCKET_MS = 60_000;

export class LeaseBuckets {
  private readonly granted = new Map<number, Promise<string>>();

  constructor(
    private readonly client: Etcd3,
    private readonly clock: () => number,
  ) {}

  /** The id of a lease that lives at least until `untilMs`. */
  covering(untilMs: number): Promise<string> {
    const now = this.clock();
    const end = Math.ceil(Math.max(untilMs, now) / BUCKET_MS) * BUCKET_MS;
    const cached = this.granted.get(end);
    if (cached !== undefined) return cached;
    for (const bucket of this.granted.keys()) if (bucket < now) this.granted.delete(bucket);
    // Whole seconds, rounded up, plus one: etcd counts a lease's TTL from the
    // grant, so it ends no earlier than `end` whatever the rounding.
    const ttl = Math.ceil((end - now) / 1000) + 1;
    const grant = this.client.leaseClient.leaseGrant({ TTL: ttl }).then(
      (r) => r.ID,
      (error: unknown) => {
        this.granted.delete(end);
        throw new IoError(`etcd ledger: lease grant failed: ${(error as Error).message}`, { cause: error });
      },
    );
    this.granted.set(end, grant);
    return grant;
  }

  clear(): void {
    this.granted.clear();
  }
}
