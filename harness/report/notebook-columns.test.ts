// The notebooks read only what the writers write: every column the paper
// notebook says it needs is in the column schema its file is written in, and
// no notebook falls back on a column no writer writes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Schema } from '../csv.js';
import { MICROBENCH_CSV } from '../microbench/stats.js';
import { REPO_ROOT } from '../repo-root.js';
import { DRIFT_CSV } from '../results/drift.js';
import { FAULTS_CSV } from '../results/faults.js';
import { REQUESTS_CSV } from '../results/requests.js';
import { REVOCATION_CSV } from '../results/revocation.js';
import { SUMMARY_CSV } from '../results/summary.js';
import { SWEEP_CSV } from '../results/sweep.js';

const SCHEMAS: Readonly<Record<string, Schema>> = {
  'requests.csv': REQUESTS_CSV,
  'summary.csv': SUMMARY_CSV,
  'sweep.csv': SWEEP_CSV,
  'drift.csv': DRIFT_CSV,
  'revocation.csv': REVOCATION_CSV,
  'faults.csv': FAULTS_CSV,
  'microbench.csv': MICROBENCH_CSV,
};

const source = (notebook: string): string =>
  (JSON.parse(readFileSync(join(REPO_ROOT, 'notebooks', notebook), 'utf8')) as { cells: { source: string[] }[] }).cells.map((c) => c.source.join('')).join('\n');

/** The NEEDED = {'file.csv': ['col', ...], ...} table of the paper notebook. */
function needed(text: string): Record<string, string[]> {
  const table = /NEEDED = \{([\s\S]*?)\n\}/.exec(text)?.[1];
  if (table === undefined) throw new Error('no NEEDED table');
  return Object.fromEntries([...table.matchAll(/'([a-z]+\.csv)': \[([^\]]*)\]/g)].map((m) => [m[1] as string, [...(m[2] as string).matchAll(/'([a-z0-9_]+)'/g)].map((c) => c[1] as string)]));
}

describe('notebooks/paper-figures.ipynb', () => {
  const text = source('paper-figures.ipynb');

  it('needs only columns its files are written with', () => {
    const table = needed(text);
    expect(Object.keys(table).sort()).toEqual(Object.keys(SCHEMAS).sort());
    for (const [file, columns] of Object.entries(table)) expect(columns.filter((c) => !(c in (SCHEMAS[file] as Schema))), file).toEqual([]);
  });

  it('keeps no fallback for an offered_rps column in summary.csv (the writer has none)', () => {
    expect('offered_rps' in SUMMARY_CSV).toBe(false);
    expect(text).not.toMatch(/'offered_rps' in \w+\.columns|\w+\.offered_rps\.fillna/);
  });
});
