// The layering of STYLE.md, held by a test: the core imports nothing with
// I/O; the broker never reaches into the harness, except the commands that
// drive it (bench, report, fuzz, target up).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Every module a file imports, statically or dynamically: relative ones resolved to repo paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(?)\s*'([^']+)'/g)].map((m) => m[1] as string);
  return specs.map((s) => (s.startsWith('.') ? relative('.', normalize(join(dirname(file), s))) : s));
}

describe('layering', () => {
  it('broker/core is pure: only core modules and node:crypto', () => {
    const offenders = sources('broker/core').flatMap((file) =>
      importsOf(file)
        .filter((i) => !(i.startsWith('broker/core/') || i === 'node:crypto'))
        .map((i) => `${file} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the broker does not import the harness, except the commands that drive it', () => {
    const offenders = sources('broker')
      .filter((file) => !file.startsWith('broker/cli/'))
      .flatMap((file) => importsOf(file).filter((i) => i.startsWith('harness/')).map((i) => `${file} imports ${i}`));
    expect(offenders).toEqual([]);
  });
});
