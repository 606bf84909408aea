// revocation.csv and faults.csv: their columns, exactly, and the numbers
// derived from a small hand-made history.
import { describe, expect, it } from 'vitest';
import { toCsv } from '../csv.js';
import type { Attempt, Violation } from '../validate/violations.js';
import { FAULT_COLUMNS, faultRows, type StepWindow } from './faults.js';
import { propagation, REVOCATION_COLUMNS } from './revocation.js';

function attempt(o: Partial<Attempt>): Attempt {
  return { broker: 'seb-1', path: 'execute', kind: 'outstanding', i: 0, jti: 'a', rep: 0, sentMs: 0, answeredMs: 10, outcome: 'executed', reason: null, ...o };
}

describe('revocation.csv', () => {
  it('has the columns issue 5 names', () => {
    expect(toCsv(REVOCATION_COLUMNS, []).trim()).toBe('run_id,broker,event,revoked_at_ms,committed_at_ms,first_deny_ms,propagation_ms,from_publish_start_ms,accepted_after_revoke');
  });

  it('takes the first revoked denial after the revocation, times it from the commit and from the publish start, and counts acceptances past the bound', () => {
    const history = [
      attempt({ jti: 'a', sentMs: 900, answeredMs: 950 }), // before: not revoked yet
      attempt({ jti: 'b', sentMs: 1010, answeredMs: 1060 }), // accepted within the bound
      attempt({ jti: 'c', path: 'verify', kind: 'probe', sentMs: 1020, answeredMs: 1025, outcome: 'denied', reason: 'revoked' }),
      attempt({ jti: 'd', sentMs: 3100, answeredMs: 3150 }), // accepted past the bound
      attempt({ broker: 'seb-2', jti: 'e', sentMs: 1030, answeredMs: 1090, outcome: 'denied', reason: 'revoked' }),
    ];
    const revocation = { atMs: 1000, boundMs: 2000, jtis: new Set(['b', 'c', 'd', 'e']) };
    // Published at 1000, committed (the publish returned) at 1020.
    const r = propagation(history, ['seb-1', 'seb-2', 'seb-3'], revocation, 1020, 0);
    expect(r.acceptedInWindow).toBe(1);
    expect(r.perBroker).toEqual([
      { broker: 'seb-1', first_deny_ms: 1025, propagation_ms: 5, from_publish_start_ms: 25, accepted_after_revoke: 1 },
      { broker: 'seb-2', first_deny_ms: 1090, propagation_ms: 70, from_publish_start_ms: 90, accepted_after_revoke: 0 },
      { broker: 'seb-3', first_deny_ms: null, propagation_ms: null, from_publish_start_ms: null, accepted_after_revoke: 0 },
    ]);
  });
});

describe('faults.csv', () => {
  const w: StepWindow = { fault: 'network-down', target: 'etcd', startMs: 0, injectedMs: 100, removeStartMs: 200, removedMs: 250, endMs: 400, recoveryMs: 80, expected: null, expectedSeen: 0 };
  const history = [
    attempt({ sentMs: 50 }),
    attempt({ sentMs: 120, outcome: 'denied', reason: 'revocation_stale' }),
    attempt({ sentMs: 130, path: 'verify', outcome: 'passed' }),
    attempt({ sentMs: 300, outcome: 'error', reason: 'ECONNREFUSED' }),
  ];
  const violation: Violation = { type: 'missing_outcome', jti: 'a', broker: 'seb-1', atMs: 150, detail: '' };

  it('has the columns issue 5 names', () => {
    expect(toCsv(FAULT_COLUMNS, []).trim()).toBe('run_id,fault,target,phase,injected_at_ms,removed_at_ms,requests,executed,denied,violations,recovery_ms');
  });

  it('counts execute attempts and violations per phase, plus a total row', () => {
    const rows = faultRows('r1', [w], history, [violation, { ...violation, atMs: Number.POSITIVE_INFINITY }]);
    expect(rows.map((r) => [r.phase, r.requests, r.executed, r.denied, r.violations])).toEqual([
      ['before', 1, 1, 0, 0],
      ['during', 1, 0, 1, 1],
      ['after', 1, 0, 0, 0],
      ['total', 3, 1, 1, 2],
    ]);
    expect(rows[1]).toMatchObject({ run_id: 'r1', fault: 'network-down', target: 'etcd', injected_at_ms: 100, removed_at_ms: 250, recovery_ms: 80 });
  });
});
