import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TargetQueue } from './target-queue.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('TargetQueue', () => {
  it('never has two requests of one target in flight, runs every request once, and keeps order per target', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.boolean()), { maxLength: 40 }), async (requests) => {
        const q = new TargetQueue();
        const inFlight = new Map<string, number>();
        const order = new Map<string, number[]>();
        let maxPerTarget = 0;
        const runs = requests.map(([target, ticks, fails], k) =>
          q
            .run(`t${target}`, async () => {
              const key = `t${target}`;
              inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
              maxPerTarget = Math.max(maxPerTarget, inFlight.get(key) ?? 0);
              order.set(key, [...(order.get(key) ?? []), k]);
              for (let n = 0; n < ticks; n++) await tick();
              inFlight.set(key, (inFlight.get(key) ?? 0) - 1);
              if (fails) throw new Error('failed');
            })
            .catch(() => undefined),
        );
        await Promise.all(runs);
        expect(maxPerTarget).toBeLessThanOrEqual(1);
        expect([...order.values()].flat().sort((a, b) => a - b)).toEqual(requests.map((_, k) => k));
        for (const ks of order.values()) expect(ks).toEqual([...ks].sort((a, b) => a - b));
        await tick();
        expect(q.busy).toBe(0);
      }),
    );
  });

  it('lets different targets run at the same time', async () => {
    const q = new TargetQueue();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let otherRan = false;
    const first = q.run('a', () => held);
    await q.run('b', async () => void (otherRan = true));
    expect(otherRan).toBe(true);
    release();
    await first;
  });

  it('passes a failure to its caller and still runs the next request of the target', async () => {
    const q = new TargetQueue();
    const failed = q.run('a', async () => Promise.reject(new Error('boom')));
    let ran = false;
    const next = q.run('a', async () => void (ran = true));
    await expect(failed).rejects.toThrow('boom');
    await next;
    expect(ran).toBe(true);
  });
});
