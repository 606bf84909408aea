// The notebooks do not rot: install-notebooks.sh makes (or reuses) the pinned
// venv, then every notebook in notebooks/ runs headless with nbconvert against
// small synthetic runs, failing on any cell error, and draws its figures.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../repo-root.js';
import { writeSyntheticRun } from './synthetic-run.js';

const NOTEBOOKS = join(REPO_ROOT, 'notebooks');
let python: string;
let dir: string;

beforeAll(() => {
  // Progress of the install goes straight to the terminal (first time: about a minute).
  const install = spawnSync('bash', [join(REPO_ROOT, 'harness/report/install-notebooks.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 540_000 });
  if (install.status !== 0) throw new Error(`install-notebooks.sh failed (exit ${install.status ?? install.signal}); its log is above`);
  const line = install.stdout.split('\n').find((l) => l.startsWith('python='));
  if (line === undefined) throw new Error(`install-notebooks.sh printed no python= line: ${install.stdout}`);
  python = line.slice('python='.length);
  dir = mkdtempSync(join(tmpdir(), 'seb-notebooks-'));
  writeSyntheticRun(join(dir, 'base'), { requests: 40, faultViolations: 1 });
  writeSyntheticRun(join(dir, 'new'), { requests: 40, runId: 'new', seed: 7, sebSlowdown: 1.5 });
  // Like a `seb bench micro` run: microbench.csv and meta.json only.
  writeSyntheticRun(join(dir, 'micro'), { omit: ['requests.csv', 'summary.csv', 'sweep.csv', 'drift.csv', 'revocation.csv', 'faults.csv'] });
});

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

interface Cell {
  readonly cell_type: string;
  readonly outputs?: readonly { readonly output_type: string; readonly ename?: string; readonly evalue?: string; readonly data?: Record<string, unknown>; readonly text?: string | string[] }[];
}

/** Execute a notebook headless; any cell error fails nbconvert, and the executed copy is returned for a look. */
function execute(notebook: string, env: Record<string, string>, out: string): Cell[] {
  const r = spawnSync(python, ['-m', 'nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.timeout=300', '--output-dir', out, join(NOTEBOOKS, notebook)], {
    cwd: NOTEBOOKS,
    encoding: 'utf8',
    env: { ...process.env, ...env, JUPYTER_PLATFORM_DIRS: '1', SEB_FIG_DIR: join(out, 'figs') },
    timeout: 280_000,
  });
  if (r.status !== 0) throw new Error(`${notebook} failed (exit ${r.status ?? r.signal}):\n${r.stderr.split('\n').slice(-40).join('\n')}`);
  const cells = (JSON.parse(readFileSync(join(out, notebook), 'utf8')) as { cells: Cell[] }).cells;
  const errors = cells.flatMap((c) => (c.outputs ?? []).filter((o) => o.output_type === 'error').map((o) => `${o.ename}: ${o.evalue}`));
  expect(errors).toEqual([]);
  return cells;
}

const images = (cells: readonly Cell[]) => cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.['image/png'] !== undefined).length;
const text = (cells: readonly Cell[]) =>
  cells
    .flatMap((c) => c.outputs ?? [])
    .map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? '')))
    .join('');

describe('notebooks', () => {
  it('are the ones this test knows how to run', () => {
    expect(readdirSync(NOTEBOOKS).filter((f) => f.endsWith('.ipynb')).sort()).toEqual(['compare-runs.ipynb', 'paper-figures.ipynb']);
  });

  it('paper-figures draws all seven figures of a full run, and the paper table', () => {
    const out = join(dir, 'out-full');
    const cells = execute('paper-figures.ipynb', { SEB_RUN_DIR: join(dir, 'base') }, out);
    expect(images(cells)).toBe(7);
    expect(readdirSync(join(out, 'figs')).sort()).toEqual(['nb-drift.png', 'nb-faults.png', 'nb-latency-cdf.png', 'nb-microbench.png', 'nb-phases.png', 'nb-revocation.png', 'nb-throughput.png']);
    const html = cells.flatMap((c) => c.outputs ?? []).map((o) => String(o.data?.['text/html'] ?? '')).join('');
    expect(html).toContain('paper: added ms');
  });

  it('paper-figures reads sweep.csv, and sweep steps named <name>@<rate>rps without an offered_rps column', () => {
    expect(images(execute('paper-figures.ipynb', { SEB_RUN_DIR: join(dir, 'new') }, join(dir, 'out-new')))).toBe(7);
  });

  it('paper-figures skips, with a note, every figure whose CSV is absent', () => {
    const cells = execute('paper-figures.ipynb', { SEB_RUN_DIR: join(dir, 'micro') }, join(dir, 'out-micro'));
    expect(images(cells)).toBe(1);
    expect(text(cells)).toContain('requests.csv: not in');
    expect(text(cells)).toContain('faults.csv: not in');
  });

  it('compare-runs lists what worsened and overlays the two runs', () => {
    const cells = execute('compare-runs.ipynb', { SEB_BASE_DIR: join(dir, 'base'), SEB_NEW_DIR: join(dir, 'new') }, join(dir, 'out-compare'));
    expect(text(cells)).toMatch(/[1-9][0-9]* row\(s\) worse than 1.25x at p99/);
    expect(images(cells)).toBe(2);
  });
});
