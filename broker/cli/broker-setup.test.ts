// The fault-injection clock knob: unset means the wall clock, an integer
// shifts it, anything else fails at start naming the variable.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { CLOCK_OFFSET_ENV, clockOffset } from './broker-setup.js';

describe('clockOffset', () => {
  it('leaves the clock alone when unset', () => {
    expect(clockOffset(undefined)).toEqual({});
    expect(clockOffset('')).toEqual({});
  });

  it('shifts the clock by a whole number of ms', () => {
    const { clock } = clockOffset('-45000');
    const skew = (clock as () => number)() - Date.now();
    expect(skew).toBeGreaterThanOrEqual(-45_001);
    expect(skew).toBeLessThanOrEqual(-44_999);
  });

  it('refuses anything else, naming the variable', () => {
    expect(() => clockOffset('1.5')).toThrow(ConfigError);
    expect(() => clockOffset('soon')).toThrow(CLOCK_OFFSET_ENV);
  });
});
