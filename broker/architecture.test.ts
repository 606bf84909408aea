// The layering of STYLE.md, held by a test: the core imports nothing with
// I/O, and the broker never imports the harness, the commands included; the
// harness's commands live in harness/cli/ and bin/seb.js composes the two.
import { describe, expect, it } from 'vitest';
import { importsOf, runtimeGraph, sourceFiles } from '../harness/fixtures/import-graph.js';

describe('layering', () => {
  it('broker/core is pure: only core modules and node:crypto', () => {
    const offenders = sourceFiles('broker/core').flatMap((file) =>
      importsOf(file)
        .filter((i) => !(i.target.startsWith('broker/core/') || i.target === 'node:crypto'))
        .map((i) => `${file} imports ${i.target}`),
    );
    expect(offenders).toEqual([]);
  });

  it('no broker module imports the harness, not even a command', () => {
    const offenders = sourceFiles('broker').flatMap((file) =>
      importsOf(file)
        .filter((i) => i.target.startsWith('harness/') || i.target.startsWith('faults/'))
        .map((i) => `${file} imports ${i.target}`),
    );
    expect(offenders).toEqual([]);
  });

  it.each(['serve', 'execute', 'state', 'verify', 'audit-verify'])('broker/cli/%s.ts (a `seb` command) loads no harness module, and not the IAM client the harness sets moto up with', (command) => {
    const graph = [...runtimeGraph(`broker/cli/${command}.ts`)];
    expect(graph).toContain('broker/cli/command.ts');
    expect(graph.filter((m) => m.startsWith('harness/') || m.startsWith('faults/') || m === '@aws-sdk/client-iam')).toEqual([]);
  });
});
