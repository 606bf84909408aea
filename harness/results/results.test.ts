// The result files' columns, exactly, and the numbers derived from a small
// hand-made history.
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../csv.js';
import type { RequestRecord } from '../metrics/history.js';
import { driftCsv, driftRows } from './drift.js';
import { eventsCsv } from './events.js';
import { requestsCsv } from './requests.js';
import { stormCsv, stormRows } from './storm.js';
import type { RunValidation } from '../validate/run-validation.js';
import { summaryCsv, summaryRows } from './summary.js';
import { sweepCsv, sweepRows, withSustained, type SweepRow } from './sweep.js';
import { cpuCsv } from './cpu.js';

const header = (csv: string) => csv.split('\n')[0];

/** A validation whose platform records count every Kubernetes operation, with these writes per jti. */
function validated(writes: Record<string, number>, denied: Record<string, string[]> = {}): RunValidation {
  const coverage = [{ platform: 'kubernetes' as const, source: 'test', operations: ['*'], counted: [], notCounted: [] }];
  return { writes: 0, allows: 0, violations: [], coverage, writesByJti: new Map(Object.entries(writes)), deniedFor: new Map(Object.entries(denied).map(([j, r]) => [j, new Set(r)])) };
}

function req(overrides: Partial<RequestRecord>): RequestRecord {
  return {
    scenario: 'lat',
    target: 'local',
    platform: 'kubernetes',
    path: 'seb',
    operation: 'configmap-data',
    request_id: 'seb-configmap-data-0',
    start_ms: 0,
    latency_ms: 10,
    sent_ms: 0,
    answered_ms: 10,
    outcome: 'executed',
    reason: null,
    phases: {},
    ...overrides,
  };
}

describe('column sets', () => {
  it('requests.csv: the request, then one column per broker phase', () => {
    expect(header(requestsCsv('r', []))).toBe(
      'run_id,scenario,target,platform,path,operation,request_id,start_ms,latency_ms,outcome,reason,verify_ms,ledger_ms,drift_ms,record_ms,mint_ms,invoke_ms,retire_ms,outcome_ms',
    );
  });

  it('summary.csv, drift.csv, sweep.csv, storm.csv, events.csv', () => {
    expect(header(summaryCsv('r', []))).toBe('run_id,scenario,target,platform,path,operation,count,errors,p50_ms,p90_ms,p99_ms,max_ms,rate_rps');
    expect(header(driftCsv('r', []))).toBe('run_id,scenario,target,platform,path,operation,trials,drifted,detected,false_positives,missed,precondition_caught,counted_from');
    expect(header(sweepCsv('r', []))).toBe('run_id,scenario,target,platform,path,operation,offered_rps,achieved_rps,count,errors,p50_ms,p99_ms,saturated,why,sustained_rps,sustained_ratio');
    expect(header(cpuCsv('r', []))).toBe('run_id,scenario,platform,path,operation,process,mutations,cpu_ms,cpu_ms_per_mutation,rss_mib');
    expect(header(stormCsv('r', []))).toBe('run_id,scenario,target,platform,operation,certificates,submissions,executed_once,executed_never,executed_more,replayed,other_denials,errors,counted_from');
    expect(header(eventsCsv('r', []))).toBe('run_id,scenario,at_ms,kind,detail,outcome');
  });
});

describe('requests.csv rows', () => {
  it('writes phases where the broker reported them and leaves the rest empty', () => {
    const csv = requestsCsv('run-1', [
      req({ phases: { verify: 0.1234567, ledger: 1.5, invoke: 12 }, latency_ms: 20.00049, start_ms: 5 }),
      req({ path: 'direct', request_id: 'direct-configmap-data-1', outcome: 'error', reason: 'boom, "quoted"', latency_ms: 30000 }),
    ]);
    const rows = parseCsv(csv, 'requests.csv').rows.map((r) => r.cells);
    expect(rows[0]).toMatchObject({ run_id: 'run-1', latency_ms: '20', start_ms: '5', verify_ms: '0.123', ledger_ms: '1.5', drift_ms: '', invoke_ms: '12', outcome: 'executed', reason: '' });
    expect(rows[1]).toMatchObject({ path: 'direct', outcome: 'error', reason: 'boom, "quoted"', latency_ms: '30000', verify_ms: '' });
  });
});

describe('summary rows', () => {
  it('one per scenario, platform, path and operation; rate over the blocks of that key', () => {
    const requests = [
      ...[10, 20, 30, 40].map((ms, k) => req({ latency_ms: ms, request_id: `s${k}` })),
      ...[1, 2].map((ms, k) => req({ path: 'direct', latency_ms: ms, request_id: `d${k}`, outcome: k === 1 ? 'denied' : 'executed', reason: k === 1 ? 'drift' : null })),
    ];
    const blocks = [
      { scenario: 'lat', platform: 'kubernetes' as const, path: 'seb' as const, operation: 'configmap-data', start_ms: 0, end_ms: 1000 },
      { scenario: 'lat', platform: 'kubernetes' as const, path: 'direct' as const, operation: 'configmap-data', start_ms: 1000, end_ms: 1500 },
      { scenario: 'lat', platform: 'kubernetes' as const, path: 'seb' as const, operation: 'configmap-data', start_ms: 1500, end_ms: 2500 },
    ];
    expect(summaryRows(requests, blocks)).toEqual([
      { scenario: 'lat', target: 'local', platform: 'kubernetes', path: 'seb', operation: 'configmap-data', count: 4, errors: 0, p50_ms: 20.015, p90_ms: 40, p99_ms: 40, max_ms: 40, rate_rps: 2 },
      { scenario: 'lat', target: 'local', platform: 'kubernetes', path: 'direct', operation: 'configmap-data', count: 2, errors: 1, p50_ms: 1, p90_ms: 2, p99_ms: 2, max_ms: 2, rate_rps: 4 },
    ]);
  });
});

describe('drift rows', () => {
  it('classifies each trial by whether it drifted and what the broker did', () => {
    const trials = [
      req({ drifted: true, outcome: 'denied', reason: 'drift' }),
      req({ drifted: true, outcome: 'denied', reason: 'drift' }),
      req({ drifted: true, outcome: 'denied', reason: 'precondition_failed' }),
      req({ drifted: true, outcome: 'executed' }),
      req({ drifted: true, outcome: 'error', reason: 'timeout' }),
      req({ drifted: false, outcome: 'executed' }),
      req({ drifted: false, outcome: 'denied', reason: 'drift' }),
      req({ drifted: false, outcome: 'denied', reason: 'expired' }),
      req({ scenario: 'not-a-drift-scenario' }),
    ];
    expect(driftRows(trials)).toEqual([
      { scenario: 'lat', target: 'local', platform: 'kubernetes', path: 'seb', operation: 'configmap-data', trials: 8, drifted: 5, detected: 2, false_positives: 1, missed: 1, precondition_caught: 1, counted_from: 'client answers' },
    ]);
  });

  it('with the platform\'s records, missed is what the platform shows written and detected what the logs denied for drift', () => {
    const trials = [
      req({ drifted: true, outcome: 'error', reason: 'answer lost', jti: 'a' }),
      req({ drifted: true, outcome: 'error', reason: 'answer lost', jti: 'b' }),
      req({ drifted: false, outcome: 'executed', jti: 'c' }),
    ];
    expect(driftRows(trials, validated({ b: 1, c: 1 }, { a: ['drift'] }))[0]).toMatchObject({ drifted: 2, detected: 1, missed: 1, false_positives: 0, counted_from: 'platform records' });
    expect(driftRows(trials)[0]).toMatchObject({ detected: 0, missed: 0, counted_from: 'client answers' });
  });
});

describe('storm rows', () => {
  it('counts certificates executed once, never and more than once', () => {
    const copies = [
      ...[0, 1, 2].map((k) => req({ certificate: 0, outcome: k === 0 ? 'executed' : 'denied', reason: k === 0 ? null : 'replayed' })),
      ...[0, 1].map(() => req({ certificate: 1, outcome: 'denied', reason: 'replayed' })),
      ...[0, 1].map(() => req({ certificate: 2, outcome: 'executed' })),
      req({ certificate: 3, outcome: 'error', reason: 'ECONNRESET' }),
      req({ certificate: 3, outcome: 'denied', reason: 'expired' }),
    ];
    expect(stormRows(copies)).toEqual([
      { scenario: 'lat', target: 'local', platform: 'kubernetes', operation: 'configmap-data', certificates: 4, submissions: 9, executed_once: 1, executed_never: 2, executed_more: 1, replayed: 4, other_denials: 1, errors: 1, counted_from: 'client answers' },
    ]);
  });

  it('with the platform\'s records, counts what the platform recorded per certificate, not what the clients heard', () => {
    const copies = [
      ...[0, 1].map((k) => req({ certificate: 0, jti: 'a', outcome: k === 0 ? 'executed' : 'denied', reason: k === 0 ? null : 'replayed' })),
      ...[0, 1].map(() => req({ certificate: 1, jti: 'b', outcome: 'error', reason: 'ECONNRESET' })),
    ];
    expect(stormRows(copies, validated({ a: 1, b: 2 }))[0]).toMatchObject({ certificates: 2, executed_once: 1, executed_more: 1, executed_never: 0, counted_from: 'platform records' });
    expect(stormRows(copies, { ...validated({ a: 1, b: 2 }), coverage: [] })[0]).toMatchObject({ executed_once: 1, executed_never: 1, counted_from: 'client answers' });
  });
});

describe('sweep rows', () => {
  it('one per step and path, with the saturation verdict', () => {
    const label = 'tp@100rps';
    const requests = Array.from({ length: 50 }, (_, k) => req({ scenario: label, start_ms: 1000 + k * 20, request_id: `s${k}`, outcome: k < 40 ? 'executed' : 'denied', reason: k < 40 ? null : 'ledger_unavailable' }));
    const blocks = [{ scenario: label, platform: 'kubernetes' as const, path: 'seb' as const, operation: 'configmap-data', start_ms: 1000, end_ms: 2000, offered_rps: 100, sweep: 'tp' }];
    expect(sweepRows(requests, blocks, () => ({ min_achieved_ratio: 0.9, max_error_ratio: 0.01 }))).toEqual([
      {
        scenario: 'tp',
        target: 'local',
        platform: 'kubernetes',
        path: 'seb',
        operation: 'configmap-data',
        offered_rps: 100,
        achieved_rps: 40,
        count: 50,
        errors: 10,
        p50_ms: 10,
        p99_ms: 10,
        saturated: true,
        why: 'achieved 40 of 100 rps (40% < 90%)',
        sustained_rps: null,
        sustained_ratio: null,
      },
    ]);
  });

  it('each path\'s sustained rate is its best before it first saturated; the ratio is SEB\'s over direct\'s', () => {
    const step = (path: string, offered: number, achieved: number, saturated: boolean): SweepRow => ({
      scenario: 'tp', target: 'local', platform: 'kubernetes', path, operation: 'op', offered_rps: offered, achieved_rps: achieved, count: 1, errors: 0, p50_ms: 1, p99_ms: 1, saturated, why: null,
    });
    const rows = withSustained([
      step('seb', 10, 10, false), step('direct', 10, 10, false),
      step('seb', 20, 19.5, false), step('direct', 20, 20, false),
      step('seb', 40, 25, true), step('direct', 40, 39, false),
      step('direct', 80, 50, true), step('direct', 160, 170, false),
    ]);
    expect(rows.map((r) => [r.path, r.sustained_rps, r.sustained_ratio])).toEqual([
      ['seb', 19.5, 0.5], ['direct', 39, 0.5], ['seb', 19.5, 0.5], ['direct', 39, 0.5], ['seb', 19.5, 0.5], ['direct', 39, 0.5], ['direct', 39, 0.5], ['direct', 39, 0.5],
    ]);
  });
});
