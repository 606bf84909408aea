// Arrivals are a pure function of the seed; the drivers keep their bounds
// and the open loop counts lateness from the schedule.
import { describe, expect, it } from 'vitest';
import { runClosedLoop } from './closed-loop.js';
import { runOpenLoop } from './open-loop.js';
import { deriveSeed, seededRng, shuffle } from './rng.js';
import { arrivalSchedule } from './schedule.js';

describe('seeded randomness', () => {
  it('replays by seed, and streams differ by name', () => {
    const a = seededRng(42);
    const b = seededRng(42);
    const first = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Array.from({ length: 5 }, seededRng(43))).not.toEqual(first);
    expect(deriveSeed(1, 'drift', 'configmap-data', 7)).toBe(deriveSeed(1, 'drift', 'configmap-data', 7));
    expect(deriveSeed(1, 'drift', 'configmap-data', 7)).not.toBe(deriveSeed(1, 'drift', 'configmap-data', 8));
    expect(shuffle([1, 2, 3, 4, 5, 6], seededRng(9))).toEqual(shuffle([1, 2, 3, 4, 5, 6], seededRng(9)));
  });
});

describe('open-loop schedule', () => {
  it('is the same for the same seed, and different for another', () => {
    const o = { rateRps: 100, arrivals: 'poisson', durationMs: 5000 } as const;
    const one = arrivalSchedule({ ...o, seed: 7 });
    expect(arrivalSchedule({ ...o, seed: 7 })).toEqual(one);
    expect(arrivalSchedule({ ...o, seed: 8 })).not.toEqual(one);
    expect(one.slice(0, 3).map((t) => Math.round(t * 1000) / 1000)).toEqual(arrivalSchedule({ ...o, seed: 7, count: 3 }).map((t) => Math.round(t * 1000) / 1000));
  });

  it('offers the rate on average (Poisson) and rises', () => {
    const times = arrivalSchedule({ rateRps: 200, arrivals: 'poisson', durationMs: 60_000, seed: 1 });
    expect(times.length).toBeGreaterThan(11_400);
    expect(times.length).toBeLessThan(12_600);
    expect(times.every((t, k) => k === 0 || t >= (times[k - 1] as number))).toBe(true);
    expect(times.every((t) => t >= 0 && t < 60_000)).toBe(true);
  });

  it('spaces fixed arrivals evenly from 0, bounded by count or duration', () => {
    expect(arrivalSchedule({ rateRps: 4, arrivals: 'fixed', durationMs: 1000, seed: 1 })).toEqual([0, 250, 500, 750]);
    expect(arrivalSchedule({ rateRps: 4, arrivals: 'fixed', count: 2, seed: 1 })).toEqual([0, 250]);
    expect(() => arrivalSchedule({ rateRps: 0, arrivals: 'fixed', count: 2, seed: 1 })).toThrow(RangeError);
    expect(() => arrivalSchedule({ rateRps: 1, arrivals: 'fixed', seed: 1 })).toThrow(RangeError);
  });
});

describe('closed loop', () => {
  it('sends exactly count requests with at most `workers` in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    const r = await runClosedLoop({ workers: 3, count: 10 }, async (i) => {
      seen.push(i);
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
    });
    expect(r).toEqual({ issued: 10, aborted: false });
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
  });

  it('stops on abort and waits no longer than the grace for requests in flight', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const t0 = performance.now();
    const r = await runClosedLoop({ workers: 2, durationMs: 60_000, signal: controller.signal, graceMs: 50 }, () => new Promise((resolve) => setTimeout(resolve, 5)));
    expect(r.aborted).toBe(true);
    expect(r.issued).toBeGreaterThan(0);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('open loop', () => {
  it('keeps sending on schedule while earlier requests are stuck, and hands out the intended start', async () => {
    const intended: number[] = [];
    let inFlight = 0;
    let peak = 0;
    const r = await runOpenLoop({ schedule: [0, 10, 20, 30], maxInFlight: 100 }, async (i, intendedAt) => {
      intended[i] = intendedAt;
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 300)); // far slower than the arrival gap
      inFlight--;
    });
    expect(r).toEqual({ issued: 4, aborted: false });
    expect(peak).toBe(4);
    expect(intended.map((t) => Math.round(t - (intended[0] as number)))).toEqual([0, 10, 20, 30]);
  });

  it('beyond maxInFlight, a request waits, and its intended start stays where it was scheduled', async () => {
    const lateness: number[] = [];
    await runOpenLoop({ schedule: [0, 1, 2], maxInFlight: 1 }, async (_i, intendedAt) => {
      lateness.push(performance.now() - intendedAt);
      await new Promise((resolve) => setTimeout(resolve, 40));
    });
    // The third arrival waited for two 40 ms requests: that wait is its lateness, counted in its latency.
    expect(lateness[2]).toBeGreaterThan(60);
  });

  it('stops on abort', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const r = await runOpenLoop({ schedule: arrivalSchedule({ rateRps: 100, arrivals: 'fixed', durationMs: 60_000, seed: 1 }), maxInFlight: 10, signal: controller.signal, graceMs: 10 }, async () => undefined);
    expect(r.aborted).toBe(true);
    expect(r.issued).toBeGreaterThan(0);
    expect(r.issued).toBeLessThan(100);
  });
});
