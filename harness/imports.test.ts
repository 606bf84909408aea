// The import graph of the production code (every non-test module of broker/,
// harness/ and faults/): no module cycles, no cycles between the folders that
// drive each other (faults and the bench, validation and the bench), and no
// test fixture loaded outside the tests. And package.json's dependencies are
// exactly what that code loads at run time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cyclesAmong, importsOf, sourceFiles } from './fixtures/import-graph.js';
import { REPO_ROOT } from './repo-root.js';

/** Test support: a file in a fixtures/ folder, or named for a fixture. */
const isFixture = (file: string): boolean => /(^|\/)fixtures\//.test(file) || /fixture/.test(file.slice(file.lastIndexOf('/') + 1));

const production = sourceFiles('broker', 'harness', 'faults').filter((f) => !isFixture(f));

/** Edges from modules under `from` to modules under `to`. */
const edges = (from: string, to: string): string[] =>
  production.filter((f) => f.startsWith(from)).flatMap((f) => importsOf(f).filter((i) => i.target.startsWith(to)).map((i) => `${f} -> ${i.target}`));

describe('the import graph', () => {
  it('has no cycle among production modules (type-only imports counted)', () => {
    expect(cyclesAmong(production).map((c) => c.join(' -> '))).toEqual([]);
  });

  it.each([
    ['faults/', 'harness/bench/'],
    ['harness/validate/', 'harness/bench/'],
  ])('has no cycle between %s and %s: the bench drives them, they never reach back', (lower, upper) => {
    expect(edges(upper, lower).length, `${upper} should use ${lower}`).toBeGreaterThan(0);
    expect(edges(lower, upper)).toEqual([]);
  });

  it('loads no test fixture from production code', () => {
    expect(production.flatMap((f) => importsOf(f).filter((i) => isFixture(i.target)).map((i) => `${f} -> ${i.target}`))).toEqual([]);
  });

  it('sees the fixtures it is meant to keep out', () => {
    expect(isFixture('harness/fixtures/run-seb.ts')).toBe(true);
    expect(isFixture('faults/fleet-fixture.ts')).toBe(true);
    expect(isFixture('harness/fuzz/fixture-inputs.ts')).toBe(true);
    expect(isFixture('harness/sample-certificates.ts')).toBe(false);
  });
});

describe('package.json', () => {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const packageOf = (spec: string): string => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
  const used = new Set(
    production.flatMap((f) => importsOf(f).filter((i) => !i.typeOnly && !i.target.startsWith('node:') && !i.target.includes('.ts')).map((i) => packageOf(i.target))),
  );

  it('lists every package the production code loads among its dependencies (not devDependencies)', () => {
    expect([...used].filter((p) => manifest.dependencies[p] === undefined)).toEqual([]);
  });

  it('lists no dependency that the production code never loads', () => {
    expect(Object.keys(manifest.dependencies).filter((p) => !used.has(p))).toEqual([]);
  });
});
