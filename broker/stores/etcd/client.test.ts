import { describe, expect, it } from 'vitest';
import { neverSent } from './client.js';

describe('neverSent: which failures may go to the next etcd member without risking a second commit', () => {
  it('a call grpc-js had no connection for, and one refused by an open circuit breaker before it was sent', () => {
    expect(neverSent(new Error('14 UNAVAILABLE: No connection established'))).toBe(true);
    expect(neverSent(Object.assign(new Error('Execution prevented because the circuit breaker is open'), { isBrokenCircuitError: true }))).toBe(true);
    expect(neverSent({ isBrokenCircuitError: true })).toBe(true);
  });

  it('not a call that may have reached a member (its commit is unknown)', () => {
    expect(neverSent(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded'))).toBe(false);
    expect(neverSent(new Error('14 UNAVAILABLE: Connection dropped'))).toBe(false);
    expect(neverSent({ isBrokenCircuitError: 'yes' })).toBe(false);
    expect(neverSent(undefined)).toBe(false);
  });
});
