import { describe, expect, it } from 'vitest';
import { isSaturated, saturationPoint } from './saturation.js';

const criteria = { min_achieved_ratio: 0.9, max_error_ratio: 0.01 };
const step = (offered: number, achieved: number, extra: Partial<{ count: number; errors: number; p99_ms: number }> = {}) => ({ offered_rps: offered, achieved_rps: achieved, count: 1000, errors: 0, p99_ms: 20, ...extra });

describe('isSaturated', () => {
  it('keeps up at 90% of the offered rate, and saturates just under it', () => {
    expect(isSaturated(step(100, 90), criteria)).toEqual({ saturated: false, why: null });
    expect(isSaturated(step(100, 89.9), criteria)).toEqual({ saturated: true, why: 'achieved 89.9 of 100 rps (89.9% < 90%)' });
  });

  it('saturates when too many requests fail', () => {
    expect(isSaturated(step(100, 99, { errors: 10 }), criteria).saturated).toBe(false);
    expect(isSaturated(step(100, 99, { errors: 11 }), criteria)).toEqual({ saturated: true, why: '1.1% of requests failed (> 1%)' });
  });

  it('saturates past the p99 bound only when one is set', () => {
    expect(isSaturated(step(100, 100, { p99_ms: 5000 }), criteria).saturated).toBe(false);
    expect(isSaturated(step(100, 100, { p99_ms: 5000 }), { ...criteria, max_p99_ms: 1000 })).toEqual({ saturated: true, why: 'p99 5000 ms > 1000 ms' });
    expect(isSaturated(step(100, 100, { p99_ms: 1000 }), { ...criteria, max_p99_ms: 1000 }).saturated).toBe(false);
  });

  it('calls a step where nothing completed saturated', () => {
    expect(isSaturated(step(100, 0, { count: 0 }), criteria)).toEqual({ saturated: true, why: 'no request completed' });
  });
});

describe('saturationPoint', () => {
  it('is the first saturated rate, and the last rate sustained before it', () => {
    const steps = [25, 50, 100, 200].map((r) => ({ offered_rps: r, saturated: r >= 100 }));
    expect(saturationPoint(steps)).toEqual({ saturated_at_rps: 100, max_sustained_rps: 50 });
    expect(saturationPoint(steps.map((s) => ({ ...s, saturated: false })))).toEqual({ saturated_at_rps: null, max_sustained_rps: 200 });
    expect(saturationPoint(steps.map((s) => ({ ...s, saturated: true })))).toEqual({ saturated_at_rps: 25, max_sustained_rps: null });
    expect(saturationPoint([])).toEqual({ saturated_at_rps: null, max_sustained_rps: null });
  });
});
