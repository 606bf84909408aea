// Each docs/design.md section 4 violation, detected from a small synthetic history;
// and a clean history of the same shape, which must yield none.
import { describe, expect, it } from 'vitest';
import type { PlatformWrite } from './platform-writes.js';
import { fleetRequest as attempt } from '../fixtures/fleet-request.js';
import { findViolations, type LogEntry, type ValidationInput } from './violations.js';
const allow = (broker: string, seq: number, jti: string, atMs = 120): LogEntry => ({ broker, kind: 'decision', seq, atMs, decision: 'allow', reason: null, jti });
const deny = (broker: string, seq: number, jti: string, reason = 'replayed'): LogEntry => ({ broker, kind: 'decision', seq, atMs: 130, decision: 'deny', reason, jti });
const outcome = (broker: string, seq: number, decisionSeq: number, jti: string): LogEntry => ({ broker, kind: 'outcome', seq, atMs: 140, decisionSeq, jti, status: 'succeeded' });

/** j0 executed on seb-1 (request 0, slot 0), its replay denied on seb-2. */
const clean: ValidationInput = {
  history: [attempt({}), attempt({ broker: 'seb-2', attempt: 'replay', outcome: 'denied', reason: 'replayed', sent_ms: 200, answered_ms: 210 })],
  records: [allow('seb-1', 0, 'j0'), outcome('seb-1', 1, 0, 'j0'), deny('seb-2', 0, 'j0')],
  revocations: [],
  live: [{ slot: 0, index: 0 }],
};

const types = (input: ValidationInput) => findViolations(input).map((v) => v.type);

describe('findViolations', () => {
  it('finds nothing in a clean history', () => {
    expect(findViolations(clean)).toEqual([]);
  });

  it('double_execution: one use allowed on two brokers', () => {
    const records = [...clean.records, allow('seb-2', 1, 'j0', 300), outcome('seb-2', 2, 1, 'j0')];
    expect(types({ ...clean, records })).toEqual(['double_execution']);
  });

  it('missing_outcome: an allow left without an outcome', () => {
    const records = clean.records.filter((r) => r.kind !== 'outcome');
    const found = findViolations({ ...clean, records });
    expect(found.map((v) => v.type)).toEqual(['missing_outcome']);
    expect(found[0]).toMatchObject({ broker: 'seb-1', jti: 'j0', atMs: 120 });
  });

  it('executed_without_decision: the client saw an execution the log does not record', () => {
    const records = clean.records.filter((r) => r.broker !== 'seb-1');
    expect(types({ ...clean, records })).toEqual(['executed_without_decision', 'executed_denied']);
    expect(types({ ...clean, records: [], live: [] })).toEqual(['executed_without_decision']);
  });

  it('executed_denied: the live state shows a request that was only ever denied', () => {
    const history = [...clean.history, attempt({ index: 5, jti: 'j5', outcome: 'denied', reason: 'drift' })];
    const records = [...clean.records, deny('seb-1', 2, 'j5', 'drift')];
    expect(types({ ...clean, history, records, live: [{ slot: 0, index: 5 }] })).toEqual(['executed_denied']);
  });

  it('executed_denied: a tampered certificate executed', () => {
    const history = [...clean.history, attempt({ attempt: 'tamper', index: 6, jti: 'j6' })];
    const records = [...clean.records, allow('seb-1', 2, 'j6'), outcome('seb-1', 3, 2, 'j6')];
    expect(types({ ...clean, history, records })).toEqual(['executed_denied']);
  });

  it('checks executions only: a /v1/verify probe that passed, and a request with no certificate (the direct path), match nothing', () => {
    const probe = attempt({ attempt: 'probe', index: 7, jti: 'j7', outcome: 'passed' });
    const direct = { ...attempt({ index: 8 }), path: 'direct' as const, broker: undefined, jti: undefined };
    expect(types({ ...clean, history: [...clean.history, probe, direct], revocations: [{ atMs: 0, boundMs: 0, jtis: new Set(['j7']) }] })).toEqual([]);
    // The same probe as an execution is caught.
    expect(types({ ...clean, history: [...clean.history, { ...probe, attempt: 'outstanding', outcome: 'executed' }], revocations: [{ atMs: 0, boundMs: 0, jtis: new Set(['j7']) }] })).toEqual([
      'executed_without_decision',
      'accepted_after_revocation',
    ]);
  });

  it("a request to the one broker of the paper's runs (no broker named): its allow may be in any log", () => {
    const paper = { ...attempt({ jti: 'j0' }), broker: undefined, attempt: undefined, index: undefined };
    expect(types({ ...clean, history: [paper], live: [] })).toEqual([]);
    expect(types({ ...clean, history: [{ ...paper, jti: 'j9' }], live: [] })).toEqual(['executed_without_decision']);
  });

  it('accepted_after_revocation: by jti, by floor, and during a source outage, only past the bound', () => {
    const bound = { atMs: 1000, boundMs: 2000 };
    const at = (sentMs: number) => ({ ...clean, history: [attempt({ sent_ms: sentMs })] });
    expect(types({ ...at(3500), revocations: [{ ...bound, jtis: new Set(['j0']) }] })).toEqual(['accepted_after_revocation']);
    expect(types({ ...at(2500), revocations: [{ ...bound, jtis: new Set(['j0']) }] })).toEqual([]);
    expect(types({ ...at(3500), revocations: [{ ...bound, floor: 1 }] })).toEqual(['accepted_after_revocation']);
    expect(types({ ...at(3500), revocations: [{ ...bound, floor: 0 }] })).toEqual([]);
    expect(types({ ...at(3500), revocations: [{ ...bound, outageUntilMs: 4000 }] })).toEqual(['accepted_after_revocation']);
    expect(types({ ...at(4500), revocations: [{ ...bound, outageUntilMs: 4000 }] })).toEqual([]);
  });

  describe('from the platform\'s records of executor writes', () => {
    const write = (jti: string | null, atMs = 125): PlatformWrite => ({ platform: 'kubernetes', jti, target: 'seb-prod/configmaps/flags', atMs, by: 'system:serviceaccount:seb-executors:seb-pool-1' });
    const withWrites = (writes: PlatformWrite[], records = clean.records) => types({ ...clean, records, writes });

    it('one write for one allow with its outcome: nothing', () => {
      expect(withWrites([write('j0')])).toEqual([]);
    });

    it('double_execution: two writes for one use, the log clean', () => {
      expect(withWrites([write('j0'), write('j0', 160)])).toEqual(['double_execution']);
    });

    it('executed_denied: a write for a certificate every log only denied', () => {
      const records = [...clean.records, deny('seb-1', 2, 'j7', 'drift')];
      expect(withWrites([write('j0'), write('j7')], records)).toEqual(['executed_denied']);
    });

    it('executed_without_decision: a write no log mentions, or one tied to no certificate', () => {
      expect(withWrites([write('j0'), write('j9')])).toEqual(['executed_without_decision']);
      expect(withWrites([write('j0'), write(null)])).toEqual(['executed_without_decision']);
    });

    it('outcome_mismatch: a write whose allow has an outcome saying it failed', () => {
      const records = clean.records.map((r) => (r.kind === 'outcome' ? { ...r, status: 'failed' as const } : r));
      expect(withWrites([write('j0')], records)).toEqual(['outcome_mismatch']);
      const unknown = clean.records.map((r) => (r.kind === 'outcome' ? { ...r, status: 'unknown' as const } : r));
      expect(withWrites([write('j0')], unknown)).toEqual([]);
    });
  });
});

