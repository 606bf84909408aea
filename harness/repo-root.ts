// The checkout's root, found the same way from source (vitest) and from dist/:
// the nearest folder above this file that holds the project's package.json.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'sovereign-execution-broker') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the checkout root (package.json of sovereign-execution-broker)');
    dir = parent;
  }
}

export const REPO_ROOT = findRoot();
