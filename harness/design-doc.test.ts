// The design the code cites is in the repository: every "docs/design.md
// section N" in a source file names a section that exists, and nothing points
// at a design file a clone does not have.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './repo-root.js';

const files = ['broker', 'harness', 'faults', 'scenarios']
  .flatMap((dir) => readdirSync(join(REPO_ROOT, dir), { withFileTypes: true, recursive: true }))
  .filter((e) => e.isFile() && /\.(ts|md|yaml)$/.test(e.name))
  .map((e) => join(e.parentPath, e.name));

const sections = new Set(
  [...readFileSync(join(REPO_ROOT, 'docs/design.md'), 'utf8').matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((m) => m[1] as string),
);

describe('docs/design.md', () => {
  it('has the sections the code relies on', () => {
    expect([...sections]).toEqual(expect.arrayContaining(['2.1', '2.2', '2.3', '2.4', '2.6', '3', '4']));
  });

  it('holds every section a source file cites', () => {
    const cited = files.flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/docs\/design\.md sections? ([\d.]+(?: and [\d.]+)?)/g)].flatMap((m) =>
        (m[1] as string).split(' and ').map((n) => ({ where: relative(REPO_ROOT, f), section: n.replace(/\.$/, '') })),
      ),
    );
    expect(cited.length).toBeGreaterThan(10);
    expect(cited.filter((c) => !sections.has(c.section))).toEqual([]);
  });

  it('is the only design document cited', () => {
    expect(files.filter((f) => !f.endsWith('design-doc.test.ts') && readFileSync(f, 'utf8').includes('SEB.md')).map((f) => relative(REPO_ROOT, f))).toEqual([]);
  });
});
