// The per-client token bucket, over a clock the test moves.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientRateLimiter } from './rate-limit.js';

describe('ClientRateLimiter', () => {
  it('admits per client at most burst plus perSecond times the time elapsed, and never stalls a client beyond its Retry-After', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 400 })), { maxLength: 200 }),
        (perSecond, burst, requests) => {
          let now = 1_000_000;
          const limiter = new ClientRateLimiter({ perSecond, burst }, () => now);
          const admitted = new Map<string, number>();
          const start = now;
          for (const [client, stepMs] of requests) {
            now += stepMs;
            const a = limiter.admit(client);
            if (a.ok) admitted.set(client, (admitted.get(client) ?? 0) + 1);
            else {
              expect(a.retryAfterS).toBeGreaterThanOrEqual(1);
              // Waiting as told is enough.
              now += a.retryAfterS * 1000;
              expect(limiter.admit(client).ok).toBe(true);
              admitted.set(client, (admitted.get(client) ?? 0) + 1);
            }
          }
          for (const n of admitted.values()) expect(n).toBeLessThanOrEqual(burst + Math.floor(((now - start) / 1000) * perSecond));
        },
      ),
    );
  });

  it('keeps clients apart, tells a client when to retry, and bounds how many buckets it keeps', () => {
    let now = 0;
    const limiter = new ClientRateLimiter({ perSecond: 1, burst: 2 }, () => now, 3);
    expect([limiter.admit('a').ok, limiter.admit('a').ok, limiter.admit('a')]).toEqual([true, true, { ok: false, retryAfterS: 1 }]);
    expect(limiter.admit('b').ok).toBe(true);
    now += 1000;
    expect(limiter.admit('a').ok).toBe(true);
    for (let i = 0; i < 1000; i++) limiter.admit(`flood-${i}`);
    expect(limiter.clients).toBeLessThanOrEqual(3);
  });
});
