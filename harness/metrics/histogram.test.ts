// The summary's numbers, pinned: HDR percentiles (3 significant digits, in
// microseconds) reported in ms, and the rate over the measured time.
import { describe, expect, it } from 'vitest';
import { LatencyHistogram, summarize } from './histogram.js';

describe('summarize', () => {
  it('1..100 ms over 10 s (percentiles within HDR precision, max exact)', () => {
    const latencies = Array.from({ length: 100 }, (_, k) => k + 1);
    expect(summarize(latencies, 3, 10_000)).toEqual({ count: 100, errors: 3, p50_ms: 50.015, p90_ms: 90.047, p99_ms: 99.007, max_ms: 100, rate_rps: 10 });
  });

  it('sub-millisecond values keep microsecond resolution', () => {
    expect(summarize([0.25, 0.5, 0.75, 1.5], 0, 2000)).toEqual({ count: 4, errors: 0, p50_ms: 0.5, p90_ms: 1.5, p99_ms: 1.5, max_ms: 1.5, rate_rps: 2 });
  });

  it('one slow outlier owns the tail, not the median', () => {
    const latencies = [...Array.from({ length: 999 }, () => 10), 2000];
    expect(summarize(latencies, 0, 1000)).toMatchObject({ p50_ms: 10.007, p99_ms: 10.007, max_ms: 2000, rate_rps: 1000 });
  });

  it('is zero everywhere for no requests, and ignores latencies that were never measured', () => {
    expect(summarize([], 0, 0)).toEqual({ count: 0, errors: 0, p50_ms: 0, p90_ms: 0, p99_ms: 0, max_ms: 0, rate_rps: 0 });
    expect(summarize([Number.NaN, 4], 1, 1000)).toEqual({ count: 2, errors: 1, p50_ms: 4, p90_ms: 4, p99_ms: 4, max_ms: 4, rate_rps: 2 });
  });
});

describe('LatencyHistogram', () => {
  it('clamps to 1 us .. 1 h and resets', () => {
    const h = new LatencyHistogram();
    h.record(0);
    h.record(1e9);
    expect(h.count).toBe(2);
    expect(h.percentileMs(0)).toBe(0.001);
    expect(h.maxMs).toBeGreaterThanOrEqual(3_600_000);
    h.reset();
    expect(h.count).toBe(0);
    expect(h.percentileMs(50)).toBe(0);
  });
});
