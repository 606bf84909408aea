// CI's short fuzz: a fixed seed, in process, long enough to decide every
// offline reason at least once. A counterexample fails the test and prints
// its seed, round and fast-check path; `seb fuzz --seed` replays the run.
import { describe, expect, it } from 'vitest';
import { OFFLINE_REASONS } from '../../broker/core/reasons.js';
import { checkInProcess } from './execute.js';
import { runFuzz } from './run.js';

const SEED = 20_260_627;

describe('seb fuzz, in process', () => {
  it('finds nothing in 1500 cases and decides every offline reason', async () => {
    const summary = await runFuzz({ seed: SEED, runs: 1500, cli: false, check: checkInProcess });
    const found = summary.counterexamples.map(
      (cx) => `seed ${SEED} round ${cx.round} path ${cx.path}: ${cx.result.findings.map((f) => f.detail).join('; ')} [${cx.fuzzCase.tags.map((t) => t.tag).join(', ')}]`,
    );
    expect(found).toEqual([]);
    expect(summary.coverage.cases).toBe(1500);
    expect(summary.coverage.uncovered()).toEqual([]);
    const rows = summary.coverage.toRows();
    expect(rows.map((r) => r.reason)).toEqual([...OFFLINE_REASONS, 'allow']);
    // A reason's check is reached by at least the cases it decides, and nothing decides more than it reaches.
    for (const r of rows) expect(r.reached).toBeGreaterThanOrEqual(r.decided);
    expect(summary.coverage.toCsv().split('\n')[0]).toBe('predicate,reason,expected,reached,decided');
  });
});
