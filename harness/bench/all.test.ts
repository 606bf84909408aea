// One run, several parts: where each fleet part writes (alone or in the one
// run's folder) and the one meta.json the run writes for them all.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunDir } from '../run-dir.js';
import { allMeta, violationsByPart } from './all.js';
import { openPart, partFile, workDirName, writePartMeta } from './part.js';

const roots: string[] = [];
const root = () => {
  const r = mkdtempSync(join(tmpdir(), 'seb-part-'));
  roots.push(r);
  return r;
};
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});
const validation = { writes: 2, allows: 3, violations: [], coverage: [] };

describe('a fleet part of a run', () => {
  it('alone: a folder of its own with its meta.json (violations.json and latest: the run loop, run/loop.test.ts)', () => {
    const r = root();
    const part = openPart('faults', r, undefined);
    expect([partFile(part, 'attempts.csv'), partFile(part, 'events.csv'), workDirName(part)]).toEqual(['attempts.csv', 'events.csv', 'work']);
    writePartMeta(part, { profile: 'quick' });
    expect(readdirSync(part.run.path).sort()).toEqual(['meta.json']);
    expect(JSON.parse(readFileSync(join(part.run.path, 'meta.json'), 'utf8'))).toEqual({ run_id: part.run.id, bench: 'faults', profile: 'quick' });
  });

  it('shared: the run folder it is given, names of its own, and nothing the run writes once for all parts', () => {
    const r = root();
    const run = createRunDir(r);
    const revocation = openPart('revocation', r, run);
    const faults = openPart('faults', r, run);
    expect(revocation.run).toBe(run);
    expect([partFile(revocation, 'attempts.csv'), partFile(faults, 'attempts.csv'), partFile(faults, 'events.csv')]).toEqual(['revocation-attempts.csv', 'faults-attempts.csv', 'faults-events.csv']);
    expect(workDirName(revocation)).not.toBe(workDirName(faults));
    writePartMeta(revocation, { profile: 'quick' });
    expect(readdirSync(run.path)).toEqual([]);
    expect(existsSync(join(r, 'latest'))).toBe(false);
  });
});

describe('allMeta', () => {
  it("keeps the paper's meta (which the report reads), names the run `all`, and puts each part's meta under its name", () => {
    const run = { id: 'r1', path: '/x/r1' };
    const paper = { run_id: 'r1', bench: 'paper', scenarios: [{ name: 'latency-kubernetes', kind: 'latency' }] };
    const meta = allMeta(run, paper, { ...validation, violations: [] }, { revocation: { brokers: 3 }, faults: undefined });
    expect(meta).toEqual({
      run_id: 'r1',
      bench: 'all',
      scenarios: paper.scenarios,
      parts: ['paper', 'revocation'],
      validation: { writes_from_platform_records: 2, allows: 3, violations: 0 },
      revocation: { brokers: 3 },
    });
  });
});

describe('violationsByPart', () => {
  const v = (type: 'double_execution' | 'missing_outcome') => ({ type, jti: 'j', broker: null, atMs: 0, detail: '' });
  it('names each part that found violations, with a count per type, and nothing when none did', () => {
    expect(violationsByPart({ paper: { violations: [] }, revocation: { violations: [] } })).toBeUndefined();
    expect(violationsByPart({ paper: { violations: [v('double_execution'), v('double_execution')] }, revocation: { violations: [] }, faults: { violations: [v('missing_outcome')] } })).toBe(
      'paper: 2 double_execution; faults: 1 missing_outcome',
    );
  });
});
