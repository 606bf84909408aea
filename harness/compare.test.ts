// `seb bench compare`: row-by-row ratios of two summaries, the threshold's
// edge, rows on one side only, and the exit codes.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSeb } from './fixtures/run-seb.js';
import { compareSummaries, formatComparison, ratioOf, readSummary, summaryPoints, type SummaryPoint } from './compare.js';
import { summaryCsv } from './results/summary.js';

const point = (operation: string, p99: number, path = 'seb'): SummaryPoint => ({ scenario: 'lat', platform: 'kubernetes', path, operation, count: 100, values: { p50: p99 / 2, p90: p99 * 0.9, p99, max: p99 * 2 } });

describe('compareSummaries', () => {
  it('marks worse, better and unchanged rows by the chosen percentile', () => {
    const c = compareSummaries([point('a', 10), point('b', 10), point('c', 10)], [point('a', 20), point('b', 5), point('c', 11)], { percentile: 'p99', threshold: 1.25 });
    expect(c.rows.map((r) => [r.operation, r.ratio, r.verdict])).toEqual([
      ['a', 2, 'worse'],
      ['b', 0.5, 'better'],
      ['c', 1.1, 'ok'],
    ]);
    expect(c).toMatchObject({ worse: 1, better: 1, missing: 0, failed: true });
  });

  it('passes a ratio exactly at the threshold, fails just above it', () => {
    expect(compareSummaries([point('a', 8)], [point('a', 10)], { percentile: 'p99', threshold: 1.25 }).failed).toBe(false);
    expect(compareSummaries([point('a', 8)], [point('a', 10.001)], { percentile: 'p99', threshold: 1.25 }).failed).toBe(true);
    expect(compareSummaries([point('a', 8)], [point('a', 6.4)], { percentile: 'p99', threshold: 1.25 }).rows[0]?.verdict).toBe('ok');
  });

  it('compares the percentile asked for', () => {
    const base = [point('a', 10)];
    const next = [{ ...point('a', 10), values: { ...point('a', 10).values, p50: 50 } }];
    expect(compareSummaries(base, next, { percentile: 'p99', threshold: 1.25 }).failed).toBe(false);
    expect(compareSummaries(base, next, { percentile: 'p50', threshold: 1.25 }).rows[0]).toMatchObject({ base: 5, next: 50, ratio: 10, verdict: 'worse' });
  });

  it('reports rows on one side only without failing on them', () => {
    const c = compareSummaries([point('a', 10), point('gone', 10)], [point('a', 10), point('new', 10), point('a', 10, 'direct')], { percentile: 'p99', threshold: 1.25 });
    expect(c.rows.map((r) => [r.operation, r.path, r.verdict])).toEqual([
      ['a', 'seb', 'ok'],
      ['gone', 'seb', 'only-in-base'],
      ['new', 'seb', 'only-in-new'],
      ['a', 'direct', 'only-in-new'],
    ]);
    expect(c).toMatchObject({ missing: 3, failed: false });
    expect(formatComparison(c)).toMatch(/ok: no row worse than 1.25x at p99 \(1 compared, 0 better, 3 on one side only\)$/);
  });

  it('treats zero as a value: 0 to 0 is unchanged, 0 to anything is worse', () => {
    expect(ratioOf(0, 0)).toBe(1);
    expect(ratioOf(0, 1)).toBe(Infinity);
    expect(ratioOf(4, 2)).toBe(0.5);
  });
});

describe('reading summary.csv', () => {
  it('round-trips what the run writes', () => {
    const csv = summaryCsv('r1', [{ scenario: 'lat', target: 'local', platform: 'aws', path: 'direct', operation: 's3-put-object', count: 3, errors: 0, p50_ms: 1, p90_ms: 2, p99_ms: 3, max_ms: 4, rate_rps: 5 }]);
    expect(summaryPoints(csv, 'summary.csv')).toEqual([{ scenario: 'lat', platform: 'aws', path: 'direct', operation: 's3-put-object', count: 3, values: { p50: 1, p90: 2, p99: 3, max: 4 } }]);
  });

  it('names the file and line of what it cannot use', () => {
    expect(() => summaryPoints('a,b\n1,2\n', 'x.csv')).toThrow(/^x\.csv:1: missing columns run_id, scenario, target, platform, path, operation, count, errors, p50_ms/);
    const head = 'run_id,scenario,target,platform,path,operation,count,errors,p50_ms,p90_ms,p99_ms,max_ms,rate_rps\n';
    expect(() => summaryPoints(`${head}r,s,t,k,seb,o,1,0,1,1,oops,1,1\n`, 'x.csv')).toThrow(/^x\.csv:2: p99_ms: expected a number, got "oops"$/);
    expect(() => summaryPoints(`${head}r,s,t,k,seb,o,1,0,1,1,1,1,1\nr,s,t,k,seb,o,1,0,1,1,1,1,1\n`, 'x.csv')).toThrow(/^x\.csv: row 2 repeats the row for s k seb o$/);
    expect(() => summaryPoints(`${head}r,s,t\n`, 'x.csv')).toThrow(/^x\.csv:2: 3 fields, the header has 13$/);
    expect(() => readSummary('/nonexistent/run')).toThrow(/cannot read \/nonexistent\/run: ENOENT/);
  });
});

describe('seb bench compare', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seb-compare-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (name: string, p99: number) => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'summary.csv'), summaryCsv(name, [{ scenario: 'lat', target: 'local', platform: 'kubernetes', path: 'seb', operation: 'configmap-data', count: 10, errors: 0, p50_ms: 5, p90_ms: 8, p99_ms: p99, max_ms: 20, rate_rps: 50 }]));
    return join(dir, name);
  };
  const base = run('base', 10);
  const same = run('same', 12);
  const slow = run('slow', 30);

  it('exits 0 within the threshold and 1 past it, printing the table', async () => {
    expect((await runSeb('bench', 'compare', base, same)).code).toBe(0);
    const r = await runSeb('bench', 'compare', base, slow);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/lat\s+kubernetes\s+seb\s+configmap-data\s+10\s+30\s+3x\s+worse/);
    expect(r.out).toMatch(/FAIL: 1 row\(s\) worse than 1.25x at p99/);
    expect((await runSeb('bench', 'compare', base, slow, '--threshold', '3')).code).toBe(0);
    expect((await runSeb('bench', 'compare', base, slow, '--percentile', 'p50')).code).toBe(0);
  });

  it('refuses bad flags and missing runs with exit 2 and one line', async () => {
    expect(await runSeb('bench', 'compare', base, slow, '--percentile', 'p42')).toMatchObject({ code: 2, err: 'seb: --percentile: expected one of p50, p90, p99, max, got "p42"\n' });
    expect(await runSeb('bench', 'compare', base, slow, '--threshold', '-1')).toMatchObject({ code: 2 });
    expect(await runSeb('bench', 'compare', base)).toMatchObject({ code: 2, err: 'seb: bench compare: expected BASE_DIR NEW_DIR\n' });
    expect((await runSeb('bench', 'compare', base, join(dir, 'absent'))).err).toMatch(/^seb: summary: cannot read .*absent: ENOENT\n$/);
  });
});
