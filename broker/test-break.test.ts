// The broken broker is out of reach of any normal configuration: only both
// variables together, with a known mode, switch it on.
import { describe, expect, it } from 'vitest';
import { ConfigError } from './core/errors.js';
import { TEST_BREAK_ENV, TEST_ONLY_ACK, TEST_ONLY_ENV, testBreakFromEnv } from './test-break.js';

describe('testBreakFromEnv', () => {
  it('is off when neither variable is set', () => {
    expect(testBreakFromEnv({})).toBeUndefined();
    expect(testBreakFromEnv({ [TEST_BREAK_ENV]: '', [TEST_ONLY_ENV]: '' })).toBeUndefined();
  });

  it('refuses a mode without the acknowledgement, or with a wrong one', () => {
    expect(() => testBreakFromEnv({ [TEST_BREAK_ENV]: 'execute-twice' })).toThrow(ConfigError);
    expect(() => testBreakFromEnv({ [TEST_BREAK_ENV]: 'execute-twice', [TEST_ONLY_ENV]: '1' })).toThrow(ConfigError);
  });

  it('refuses the acknowledgement alone, and an unknown mode', () => {
    expect(() => testBreakFromEnv({ [TEST_ONLY_ENV]: TEST_ONLY_ACK })).toThrow(/must be one of/);
    expect(() => testBreakFromEnv({ [TEST_BREAK_ENV]: 'execute-thrice', [TEST_ONLY_ENV]: TEST_ONLY_ACK })).toThrow(/must be one of/);
  });

  it('switches on with both', () => {
    expect(testBreakFromEnv({ [TEST_BREAK_ENV]: 'execute-twice', [TEST_ONLY_ENV]: TEST_ONLY_ACK })).toBe('execute-twice');
    expect(testBreakFromEnv({ [TEST_BREAK_ENV]: 'execute-after-deny', [TEST_ONLY_ENV]: TEST_ONLY_ACK })).toBe('execute-after-deny');
  });
});
