// Compare two runs' summary.csv row by row (scenario, platform, path,
// operation) on one percentile. A row is worse when new / base exceeds the
// threshold (a ratio equal to it passes), better when base / new does. Rows
// on one side only are reported, never a crash. Pure but for readSummary.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../broker/core/errors.js';
import { readTextFile } from '../broker/files.js';
import { readCsv } from './csv.js';
import { SUMMARY_CSV, SUMMARY_KEY } from './results/summary.js';

export const PERCENTILES = ['p50', 'p90', 'p99', 'max'] as const;
export type Percentile = (typeof PERCENTILES)[number];

export interface SummaryPoint {
  readonly scenario: string;
  readonly platform: string;
  readonly path: string;
  readonly operation: string;
  readonly count: number;
  readonly values: Readonly<Record<Percentile, number>>;
}

export type Verdict = 'ok' | 'worse' | 'better' | 'only-in-base' | 'only-in-new';

export interface ComparedRow {
  readonly scenario: string;
  readonly platform: string;
  readonly path: string;
  readonly operation: string;
  readonly base: number | null;
  readonly next: number | null;
  /** new / base; null when a side is missing. */
  readonly ratio: number | null;
  readonly verdict: Verdict;
}

export interface Comparison {
  readonly percentile: Percentile;
  readonly threshold: number;
  readonly rows: readonly ComparedRow[];
  readonly worse: number;
  readonly better: number;
  readonly missing: number;
  /** True when any row is worse than the threshold. */
  readonly failed: boolean;
}

const key = (p: Pick<SummaryPoint, (typeof SUMMARY_KEY)[number]>) => SUMMARY_KEY.map((k) => p[k]).join('\0');

/** new / base, with 0 / 0 = 1 and x / 0 = Infinity: a path that got slower from nothing got worse. */
export function ratioOf(base: number, next: number): number {
  if (base === 0) return next === 0 ? 1 : Infinity;
  return next / base;
}

export function compareSummaries(base: readonly SummaryPoint[], next: readonly SummaryPoint[], o: { percentile: Percentile; threshold: number }): Comparison {
  if (!(o.threshold > 0)) throw new InvalidInputError(`threshold must be a positive number, got ${o.threshold}`);
  const newByKey = new Map(next.map((p) => [key(p), p]));
  const baseKeys = new Set(base.map(key));
  const rows: ComparedRow[] = [];
  for (const b of base) {
    const n = newByKey.get(key(b));
    const id = { scenario: b.scenario, platform: b.platform, path: b.path, operation: b.operation };
    if (n === undefined) {
      rows.push({ ...id, base: b.values[o.percentile], next: null, ratio: null, verdict: 'only-in-base' });
      continue;
    }
    const ratio = ratioOf(b.values[o.percentile], n.values[o.percentile]);
    const verdict: Verdict = ratio > o.threshold ? 'worse' : ratio < 1 / o.threshold ? 'better' : 'ok';
    rows.push({ ...id, base: b.values[o.percentile], next: n.values[o.percentile], ratio, verdict });
  }
  for (const n of next) {
    if (!baseKeys.has(key(n))) rows.push({ scenario: n.scenario, platform: n.platform, path: n.path, operation: n.operation, base: null, next: n.values[o.percentile], ratio: null, verdict: 'only-in-new' });
  }
  const count = (v: Verdict) => rows.filter((r) => r.verdict === v).length;
  const worse = count('worse');
  return { percentile: o.percentile, threshold: o.threshold, rows, worse, better: count('better'), missing: count('only-in-base') + count('only-in-new'), failed: worse > 0 };
}

const MAX_SUMMARY_BYTES = 16 * 1024 * 1024;

/** A run directory (or its summary.csv) as points; errors name the file and line. */
export function readSummary(dirOrFile: string): SummaryPoint[] {
  const file = existsSync(dirOrFile) && statSync(dirOrFile).isDirectory() ? join(dirOrFile, 'summary.csv') : dirOrFile;
  // A regular file only: a FIFO would block the comparison.
  return summaryPoints(readTextFile(file, 'summary', MAX_SUMMARY_BYTES), file);
}

/** summary.csv in the schema the runner writes it in; a second row for one key is refused. */
export function summaryPoints(text: string, name: string): SummaryPoint[] {
  const seen = new Set<string>();
  return readCsv(SUMMARY_CSV, text, name).map((r, i) => {
    const point: SummaryPoint = {
      scenario: r.scenario,
      platform: r.platform,
      path: r.path,
      operation: r.operation,
      count: r.count,
      values: { p50: r.p50_ms, p90: r.p90_ms, p99: r.p99_ms, max: r.max_ms },
    };
    if (seen.has(key(point))) throw new InvalidInputError(`${name}: row ${i + 1} repeats the row for ${SUMMARY_KEY.map((k) => point[k]).join(' ')}`);
    seen.add(key(point));
    return point;
  });
}

export function formatComparison(c: Comparison): string {
  const fmt = (n: number | null) => (n === null ? '-' : Number.isFinite(n) ? String(Math.round(n * 1000) / 1000) : 'inf');
  const header = ['scenario', 'platform', 'path', 'operation', `base ${c.percentile}_ms`, `new ${c.percentile}_ms`, 'ratio', 'verdict'];
  const body = c.rows.map((r) => [r.scenario, r.platform, r.path, r.operation, fmt(r.base), fmt(r.next), r.ratio === null ? '-' : `${fmt(r.ratio)}x`, r.verdict]);
  const widths = header.map((h, k) => Math.max(h.length, ...body.map((row) => (row[k] as string).length)));
  const line = (cells: string[]) => cells.map((cell, k) => cell.padEnd(widths[k] as number)).join('  ').trimEnd();
  const verdict = c.failed ? `FAIL: ${c.worse} row(s) worse than ${c.threshold}x at ${c.percentile}` : `ok: no row worse than ${c.threshold}x at ${c.percentile}`;
  const notes = [`${c.rows.length - c.missing} compared`, `${c.better} better`, `${c.missing} on one side only`].join(', ');
  return [line(header), ...body.map(line), '', `${verdict} (${notes})`].join('\n');
}
