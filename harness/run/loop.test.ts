// The one run loop: scenarios in order, a failure stops the rest and is
// rethrown after the run is written and validated; violations.json and
// results/latest when the run is its own, neither when it is a part of a run
// of several; a violation fails the run unless the caller reports it.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fleetRequest } from '../fixtures/fleet-request.js';
import { History } from '../metrics/history.js';
import { createRunDir } from '../run-dir.js';
import type { ValidationSources } from '../validate/run-validation.js';
import { runLoop, ValidationFailedError, type LoopEnd, type LoopOptions } from './loop.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A history with one execution of j0 on seb-1; `allowed`: its log has the allow and outcome, else nothing (a violation). */
function setup(allowed: boolean, more: Partial<LoopOptions<string>> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'seb-loop-'));
  roots.push(root);
  const run = createRunDir(root);
  const history = new History();
  history.addRequest(fleetRequest({ jti: 'j0', broker: 'seb-1' }));
  const records: ValidationSources['records'] = allowed
    ? [
        { broker: 'seb-1', kind: 'decision', seq: 0, atMs: 1, decision: 'allow', reason: null, jti: 'j0' },
        { broker: 'seb-1', kind: 'outcome', seq: 1, atMs: 2, decisionSeq: 0, jti: 'j0', status: 'succeeded' },
      ]
    : [];
  const ends: LoopEnd[] = [];
  const notes: string[] = [];
  const options: LoopOptions<string> = {
    run,
    resultsRoot: root,
    history,
    note: (line) => notes.push(line),
    validate: async () => ({ records, evidence: { writes: [], coverage: [] } }),
    write: (end) => {
      ends.push(end);
      return 'written';
    },
    ...more,
  };
  return { root, run, options, ends, notes };
}

const scenario = (name: string, ran: string[], fail = false) => ({
  name,
  run: async () => {
    ran.push(name);
    if (fail) throw new Error(`${name} broke`);
  },
});

describe('runLoop', () => {
  it('runs the scenarios in order, validates the history, writes the run, violations.json and results/latest', async () => {
    const { root, run, options, notes } = setup(true);
    const ran: string[] = [];
    const end = await runLoop([scenario('a', ran), scenario('b', ran)], options);
    expect(ran).toEqual(['a', 'b']);
    expect(end).toMatchObject({ aborted: false, completed: ['a', 'b'], written: 'written', validation: { allows: 1, violations: [] } });
    expect(JSON.parse(readFileSync(join(run.path, 'violations.json'), 'utf8'))).toMatchObject({ allows: 1, violations: [] });
    expect(existsSync(join(root, 'latest'))).toBe(true);
    expect(notes).toContain('validation: 0 writes from platform records, 1 allows, 0 violations');
  });

  it('checks the history itself: an execution the client saw with no allow in any log fails the run, after it is written', async () => {
    const { run, options, ends } = setup(false);
    await expect(runLoop([scenario('a', [])], options)).rejects.toThrow(ValidationFailedError);
    expect(ends).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(run.path, 'violations.json'), 'utf8')).violations.map((v: { type: string }) => v.type)).toEqual(['executed_without_decision']);
  });

  it('with onViolations report, returns the violations instead', async () => {
    const { options } = setup(false, { onViolations: 'report' });
    const end = await runLoop([scenario('a', [])], options);
    expect(end.validation?.violations.map((v) => v.type)).toEqual(['executed_without_decision']);
  });

  it('a part of a run of several: neither violations.json nor results/latest (the run writes them once for all parts)', async () => {
    const { root, run, options } = setup(true, { shared: true });
    await runLoop([scenario('a', [])], options);
    expect(existsSync(join(run.path, 'violations.json'))).toBe(false);
    expect(existsSync(join(root, 'latest'))).toBe(false);
  });

  it('a failing scenario stops the rest; the run is validated and written, then the failure is rethrown', async () => {
    const { options, ends, notes } = setup(true);
    const ran: string[] = [];
    await expect(runLoop([scenario('a', ran), scenario('b', ran, true), scenario('c', ran)], options)).rejects.toThrow('b broke');
    expect(ran).toEqual(['a', 'b']);
    expect(ends[0]).toMatchObject({ completed: ['a'], failure: new Error('b broke'), validation: { violations: [] } });
    expect(notes[0]).toBe('run failed: b broke; writing what was measured');
  });

  it('stops at an abort: what was measured is written, the run says so', async () => {
    const stop = new AbortController();
    const { options } = setup(true, { signal: stop.signal });
    const ran: string[] = [];
    const end = await runLoop([{ name: 'a', run: async () => stop.abort() }, scenario('b', ran)], options);
    expect(ran).toEqual([]);
    expect(end).toMatchObject({ aborted: true, completed: [] });
  });
});
