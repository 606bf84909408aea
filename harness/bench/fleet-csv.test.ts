// revocation.csv, faults.csv and attempts.csv: their columns, exactly, the
// numbers derived from a small hand-made history, and, for any rows, the
// report's reader reads back what the writer wrote (one schema for both).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCsv, writeCsv } from '../csv.js';
import type { AttemptKind, Outcome } from '../metrics/history.js';
import type { Violation } from '../validate/violations.js';
import { asRead, rowArbitrary } from '../fixtures/csv-arbitrary.js';
import { fleetRequest } from '../fixtures/fleet-request.js';
import { ATTEMPTS_CSV, attemptsCsv } from '../results/attempts.js';
import { FAULTS_CSV, faultsCsv } from '../results/faults.js';
import { REVOCATION_CSV, revocationCsv } from '../results/revocation.js';
import { faultRows, type StepWindow } from './faults.js';
import { propagation } from './revocation.js';

const attempt = (o: Parameters<typeof fleetRequest>[0]) => fleetRequest({ attempt: 'outstanding', jti: 'a', sent_ms: 0, answered_ms: 10, ...o });

describe('revocation.csv', () => {
  it('has the columns issue 5 names', () => {
    expect(revocationCsv([]).trim()).toBe('run_id,broker,event,revoked_at_ms,committed_at_ms,first_deny_ms,propagation_ms,from_publish_start_ms,accepted_after_revoke');
  });

  it('takes the first revoked denial after the revocation, times it from the commit and from the publish start, and counts acceptances past the bound', () => {
    const history = [
      attempt({ jti: 'a', sent_ms: 900, answered_ms: 950 }), // before: not revoked yet
      attempt({ jti: 'b', sent_ms: 1010, answered_ms: 1060 }), // accepted within the bound
      attempt({ jti: 'c', attempt: 'probe', sent_ms: 1020, answered_ms: 1025, outcome: 'denied', reason: 'revoked' }),
      attempt({ jti: 'd', sent_ms: 3100, answered_ms: 3150 }), // accepted past the bound
      attempt({ broker: 'seb-2', jti: 'e', sent_ms: 1030, answered_ms: 1090, outcome: 'denied', reason: 'revoked' }),
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
    attempt({ sent_ms: 50 }),
    attempt({ sent_ms: 120, outcome: 'denied', reason: 'revocation_stale' }),
    attempt({ sent_ms: 130, attempt: 'probe', outcome: 'passed' }),
    attempt({ sent_ms: 300, outcome: 'error', reason: 'ECONNREFUSED' }),
  ];
  const violation: Violation = { type: 'missing_outcome', jti: 'a', broker: 'seb-1', atMs: 150, detail: '' };

  it('has the columns issue 5 names', () => {
    expect(faultsCsv([]).trim()).toBe('run_id,fault,target,phase,injected_at_ms,removed_at_ms,requests,executed,denied,violations,recovery_ms');
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

describe('attempts.csv', () => {
  it("has requests.csv's columns, then the fleet's", () => {
    expect(attemptsCsv('r', []).trim()).toBe(
      'run_id,scenario,target,platform,path,operation,request_id,start_ms,latency_ms,outcome,reason,verify_ms,ledger_ms,drift_ms,record_ms,mint_ms,invoke_ms,retire_ms,outcome_ms,broker,attempt,index,jti,rep,sent_ms,answered_ms',
    );
  });

  const instant = fc.integer({ min: 0, max: 100_000_000 });
  const request = fc
    .record({
      broker: fc.constantFrom('seb-1', 'seb-2'),
      attempt: fc.constantFrom<AttemptKind>('fresh', 'outstanding', 'replay', 'tamper', 'probe'),
      index: fc.nat(100_000),
      jti: fc.string({ minLength: 1, maxLength: 8 }),
      rep: fc.nat(5),
      outcome: fc.constantFrom<Outcome>('executed', 'denied', 'error', 'passed'),
      reason: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: null }),
      sent_ms: instant,
      took: instant,
    })
    .map(({ took, ...o }) => fleetRequest({ ...o, answered_ms: o.sent_ms + took }));

  it('round-trips every fleet request through the reader in its schema', () => {
    fc.assert(
      fc.property(fc.array(request, { maxLength: 10 }), (requests) => {
        const rows = readCsv(ATTEMPTS_CSV, attemptsCsv('r1', requests), 'attempts.csv');
        expect(rows.map((r) => [r.broker, r.attempt, r.index, r.jti, r.rep, r.outcome, r.reason, r.sent_ms, r.answered_ms])).toEqual(
          requests.map((q) => [q.broker, q.attempt, q.index, q.jti, q.rep, q.outcome, q.reason, q.sent_ms, q.answered_ms]),
        );
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('one schema for writer and reader', () => {
  it.each([
    ['revocation.csv', REVOCATION_CSV],
    ['faults.csv', FAULTS_CSV],
    ['attempts.csv', ATTEMPTS_CSV],
  ] as const)('%s: the reader reads back exactly any rows the writer writes', (name, schema) => {
    fc.assert(
      fc.property(fc.array(rowArbitrary(schema), { maxLength: 6 }), (rows) => {
        expect(readCsv(schema, writeCsv(schema, rows), name)).toEqual(rows.map(asRead));
      }),
      { seed: 11, numRuns: 100 },
    );
  });

  it("faults.csv: the bench's rows read back as they were computed", () => {
    const w: StepWindow = { fault: 'network-down', target: 'etcd', startMs: 0, injectedMs: 100, removeStartMs: 200, removedMs: 250, endMs: 400, recoveryMs: 80, expected: null, expectedSeen: 0 };
    const rows = faultRows('r1', [w], [fleetRequest({ sent_ms: 50 }), fleetRequest({ sent_ms: 120, outcome: 'denied', reason: 'revocation_stale' })], []);
    expect(readCsv(FAULTS_CSV, faultsCsv(rows), 'faults.csv')).toEqual(rows);
  });
});
