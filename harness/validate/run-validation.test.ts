// The run's validation: counts from the platform's records, the summary line,
// violations.json, and which operations the platform's records cover.
import { describe, expect, it } from 'vitest';
import type { Coverage, PlatformWrite } from './platform-writes.js';
import { counts, mergeValidations, validateRun, validationLine, violationsJson } from './run-validation.js';
import type { LogEntry } from './violations.js';
import { fleetRequest } from '../fixtures/fleet-request.js';

const s3: Coverage = { platform: 'aws', source: 'S3 versions', operations: ['s3-put-object'], counted: ['PutObject'], notCounted: ['the writer'] };
const write = (jti: string | null): PlatformWrite => ({ platform: 'aws', jti, target: 's3://b/k', atMs: 10, by: 'S3 object version' });
const allow = (seq: number, jti: string): LogEntry => ({ broker: 'b', kind: 'decision', seq, atMs: 1, decision: 'allow', reason: null, jti });
const outcome = (seq: number, decisionSeq: number, jti: string): LogEntry => ({ broker: 'b', kind: 'outcome', seq, atMs: 2, decisionSeq, jti, status: 'succeeded' });
const deny = (seq: number, jti: string, reason: string): LogEntry => ({ broker: 'b', kind: 'decision', seq, atMs: 3, decision: 'deny', reason, jti });

describe('validateRun', () => {
  const records = [allow(0, 'a'), outcome(1, 0, 'a'), deny(2, 'a', 'replayed'), deny(3, 'c', 'drift')];

  it("checks a fleet run's history against its revocations and live state too; a request with no broker (the paper's direct path) matches nothing", () => {
    const sources = { records, evidence: { writes: [], coverage: [] }, revocations: [{ atMs: 0, boundMs: 100, jtis: new Set(['a']) }], live: [{ slot: 0, index: 4 }] };
    const executedLate = fleetRequest({ broker: 'b', jti: 'a', index: 0, sent_ms: 500 });
    const direct = { ...fleetRequest({ index: 9 }), broker: undefined, jti: undefined, path: 'direct' as const };
    expect(validateRun(sources, [executedLate, direct]).violations.map((v) => v.type)).toEqual(['accepted_after_revocation', 'executed_without_decision']);
    expect(validateRun({ records, evidence: sources.evidence }, [direct]).violations).toEqual([]);
  });

  it('counts writes per certificate, allows and denial reasons, and says so in one line', () => {
    const v = validateRun({ records, evidence: { writes: [write('a')], coverage: [s3, s3] } });
    expect(v.violations).toEqual([]);
    expect(v.writesByJti).toEqual(new Map([['a', 1]]));
    expect(v.deniedFor.get('c')).toEqual(new Set(['drift']));
    expect(v.coverage).toEqual([s3]);
    expect(validationLine(v)).toBe('validation: 1 writes from platform records, 1 allows, 0 violations');
  });

  it('writes the violations, and what was and was not counted, into violations.json', () => {
    const v = validateRun({ records, evidence: { writes: [write('a'), write('a'), write('c')], coverage: [s3] } });
    expect(validationLine(v)).toBe('validation: 3 writes from platform records, 1 allows, 2 violations');
    const json = JSON.parse(violationsJson(v)) as { violations: { type: string }[]; counted: Coverage[] };
    expect(json.violations.map((x) => x.type)).toEqual(['double_execution', 'executed_denied']);
    expect(json.counted).toEqual([s3]);
  });

  it('covers only the operations the platform\'s records name', () => {
    const v = validateRun({ records, evidence: { writes: [], coverage: [s3, { ...s3, platform: 'kubernetes', operations: ['*'] }] } });
    expect(counts(v, 'aws', 's3-put-object')).toBe(true);
    expect(counts(v, 'aws', 'dynamodb-update-item')).toBe(false);
    expect(counts(v, 'kubernetes', 'configmap-data')).toBe(true);
    expect(counts(undefined, 'kubernetes', 'configmap-data')).toBe(false);
  });

  it('merges the parts of one run into one violations.json that counts every part and names each', () => {
    const paper = validateRun({ records, evidence: { writes: [write('a')], coverage: [s3] } });
    const faults = validateRun({ records, evidence: { writes: [write('a'), write('a')], coverage: [s3, { ...s3, platform: 'kubernetes', operations: ['*'] }] } });
    const all = mergeValidations([paper, faults]);
    expect(validationLine(all)).toBe('validation: 3 writes from platform records, 2 allows, 1 violations');
    expect(all.coverage).toHaveLength(2);
    const json = JSON.parse(violationsJson(all, { paper, faults })) as { violations: { type: string }[]; parts: Record<string, { violations: number; writes_from_platform_records: number }> };
    expect(json.violations.map((x) => x.type)).toEqual(['double_execution']);
    expect(json.parts).toEqual({ paper: { writes_from_platform_records: 1, allows: 1, violations: 0 }, faults: { writes_from_platform_records: 2, allows: 1, violations: 1 } });
  });
});
