// A token bucket per client: each client may send `burst` requests at once
// and `perSecond` sustained; past that it is told to retry later (429). A
// client is its mTLS certificate when it presented one, else its address.
// The buckets are bounded: full ones are forgotten (a new bucket is full
// anyway), and past the bound new clients share one bucket, so a flood of
// addresses cannot grow the broker's memory.
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

export type Admission = { readonly ok: true } | { readonly ok: false; readonly retryAfterS: number };

interface Bucket {
  tokens: number;
  atMs: number;
}

const SHARED = '\0overflow';

export class ClientRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: () => number = Date.now,
    private readonly maxClients = 10_000,
  ) {}

  admit(client: string): Admission {
    const nowMs = this.clock();
    const bucket = this.bucketOf(client, nowMs);
    bucket.tokens = this.refilled(bucket, nowMs);
    bucket.atMs = nowMs;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - bucket.tokens) / this.limit.perSecond)) };
  }

  /** How many clients have a bucket now (for tests and metrics). */
  get clients(): number {
    return this.buckets.size;
  }

  private bucketOf(client: string, nowMs: number): Bucket {
    const known = this.buckets.get(client);
    if (known !== undefined) return known;
    // One place is kept for the shared bucket.
    if (this.buckets.size >= this.maxClients - 1) {
      for (const [name, b] of this.buckets) if (this.refilled(b, nowMs) >= this.limit.burst) this.buckets.delete(name);
    }
    const name = this.buckets.size >= this.maxClients - 1 ? SHARED : client;
    let bucket = this.buckets.get(name);
    if (bucket === undefined) {
      bucket = { tokens: this.limit.burst, atMs: nowMs };
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  private refilled(b: Bucket, nowMs: number): number {
    // A clock that steps back refills nothing.
    return Math.min(this.limit.burst, b.tokens + (Math.max(0, nowMs - b.atMs) / 1000) * this.limit.perSecond);
  }
}
