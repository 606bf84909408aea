// `seb report` end to end on synthetic run folders: every figure whose CSV is
// there is written as SVG and PNG, report.html is self-contained, absent files
// are skipped and said so, compare mode overlays and marks, and bad input is
// one line and exit 2.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCsv } from '../csv.js';
import { runSeb } from '../fixtures/run-seb.js';
import { DRIFT_CSV } from '../results/drift.js';
import { buildCompareReport, buildReport, FIGURES } from './build.js';
import { escapeHtml, flattenMeta, scopeSvgIds } from './html.js';
import { latencyScenariosOf, loadRun } from './run-data.js';
import { writeSyntheticRun } from './synthetic-run.js';

let dir: string;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const NAMES = ['latency-cdf', 'phases', 'throughput', 'drift', 'revocation', 'faults', 'microbench'];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'seb-report-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('seb report', () => {
  it('draws every figure as SVG and PNG next to the CSVs, and one self-contained report.html', async () => {
    const run = join(dir, 'full');
    writeSyntheticRun(run, { requests: 40 });
    const r = await runSeb('report', run);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`wrote ${join(run, 'report.html')}`);
    for (const name of NAMES) {
      expect(readFileSync(join(run, `fig-${name}.svg`), 'utf8')).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(readFileSync(join(run, `fig-${name}.png`)).subarray(0, 8)).toEqual(PNG);
    }
    const html = readFileSync(join(run, 'report.html'), 'utf8');
    expect(html.match(/<figure class="seb-figure"/g)).toHaveLength(NAMES.length);
    for (const name of NAMES) expect(html).toContain(`id="fig-${name}"`);
    // Nothing loaded from anywhere: no script, stylesheet link, image source or remote URL.
    expect(html).not.toMatch(/<script|<link|<img|src=|@import|url\((?!#fig-)/i);
    expect(html.replaceAll('http://www.w3.org/', '')).not.toMatch(/https?:\/\//);
    expect(html).toContain('Beside the paper');
    expect(html).toContain('<th>machine.cores</th><td>2</td>');
  });

  it('draws only the figures whose CSVs exist, and says which were not drawn', async () => {
    const run = join(dir, 'micro-only');
    writeSyntheticRun(run, { omit: ['requests.csv', 'summary.csv', 'sweep.csv', 'drift.csv', 'revocation.csv', 'faults.csv'] });
    const result = await buildReport(run);
    expect(result.figures).toEqual(['microbench']);
    expect(result.skipped.map((s) => s.title)).toEqual(FIGURES.filter((f) => f.title !== 'Microbenchmarks').map((f) => f.title));
    expect(existsSync(join(run, 'fig-latency-cdf.svg'))).toBe(false);
    const html = readFileSync(result.html, 'utf8');
    expect(html).toContain('Not drawn:');
    expect(html).toContain('No scenario in this run measured SEB and direct side by side');
  });

  it('treats a CSV with only its header as nothing to draw', async () => {
    const run = join(dir, 'headers');
    writeSyntheticRun(run, { omit: ['requests.csv', 'summary.csv', 'sweep.csv', 'revocation.csv', 'faults.csv', 'microbench.csv'] });
    writeFileSync(join(run, 'drift.csv'), writeCsv(DRIFT_CSV, []));
    const result = await buildReport(run, { outDir: join(dir, 'headers-out') });
    expect(result.figures).toEqual([]);
    expect(existsSync(join(dir, 'headers-out', 'report.html'))).toBe(true);
  });

  it('overlays two runs and marks what worsened by the ratios of seb bench compare', async () => {
    const base = join(dir, 'base');
    const next = join(dir, 'new');
    writeSyntheticRun(base, { requests: 30, omit: ['revocation.csv', 'faults.csv', 'drift.csv'] });
    writeSyntheticRun(next, { requests: 30, runId: 'new-run', seed: 9, sebSlowdown: 2, omit: ['revocation.csv', 'faults.csv', 'drift.csv'] });
    const r = await runSeb('report', '--compare', base, next, '--out', join(dir, 'cmp'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/worse: \d+ row\(s\) over 1.25x at p99/);
    const html = readFileSync(join(dir, 'cmp', 'report.html'), 'utf8');
    expect(html).toContain('What worsened');
    expect(html).toMatch(/<tr class="worse"><td>latency-aws<\/td><td>aws<\/td><td>seb<\/td>/);
    const cdf = readFileSync(join(dir, 'cmp', 'fig-latency-cdf.svg'), 'utf8');
    expect(cdf).toContain('▲ seb p99');
    expect(cdf).toMatch(/stroke-dasharray="6,3"/);
    const result = await buildCompareReport(base, next, { outDir: join(dir, 'cmp2'), threshold: 100 });
    expect(result.comparison?.failed).toBe(false);
  });

  it('pairs SEB with direct in the paper table only in the scenarios meta.json calls latency', async () => {
    const run = join(dir, 'kinds');
    writeSyntheticRun(run, { requests: 20, omit: ['requests.csv', 'drift.csv', 'revocation.csv', 'faults.csv', 'microbench.csv'] });
    const summary = readFileSync(join(run, 'summary.csv'), 'utf8');
    // A drift scenario measured both ways: its denials would skew the overhead.
    writeFileSync(join(run, 'summary.csv'), `${summary}r,drift-detection,local,aws,seb,ssm-put-parameter,10,5,900,900,900,900,1\nr,drift-detection,local,aws,direct,ssm-put-parameter,10,0,1,1,1,1,1\n`);
    const html = readFileSync((await buildReport(run)).html, 'utf8');
    expect(html).toContain('median of 4 <span');
    expect(html).not.toContain('899.0');
    expect(latencyScenariosOf(loadRun(run).meta)).toEqual(new Set(['latency-kubernetes', 'latency-aws']));
    expect(latencyScenariosOf({ run_id: 'x' })).toBeUndefined();
  });

  it('labels rows with the run they came from', () => {
    const run = loadRun(join(dir, 'full'));
    expect(run.label).toBe('20260101T000000Z-synthetic');
    expect(run.requests?.[0]?.run).toBe(run.label);
    expect(loadRun(join(dir, 'full'), 'base').summary?.[0]?.run).toBe('base');
  });

  it('fails with one line and exit 2 on a missing folder, a broken CSV, or bad flags', async () => {
    expect(await runSeb('report', join(dir, 'nope'))).toMatchObject({ code: 2, err: `seb: no run folder at ${join(dir, 'nope')}\n` });
    const broken = join(dir, 'broken');
    writeSyntheticRun(broken, { omit: ['requests.csv'] });
    writeFileSync(join(broken, 'summary.csv'), 'run_id,scenario,target,platform,path,operation,count,errors,p50_ms,p90_ms,p99_ms,max_ms,rate_rps\nr,s,local,aws,seb,op,ten,0,1,1,1,1,1\n');
    expect(await runSeb('report', broken)).toMatchObject({ code: 2, err: `seb: ${join(broken, 'summary.csv')}:2: count: expected a number, got "ten"\n` });
    expect((await runSeb('report', '--compare', broken)).err).toMatch(/expected BASE_DIR NEW_DIR/);
    expect((await runSeb('report', 'a', 'b')).err).toMatch(/at most one RUN_DIR/);
    expect((await runSeb('report', '--compare', 'a', 'b', '--threshold', '-1')).code).toBe(2);
  });
});

describe('report html', () => {
  it('gives each inline SVG its own ids, so clip paths do not cross figures', () => {
    const svg = '<svg><clipPath id="clip1"><rect/></clipPath><g clip-path="url(#clip1)"><use xlink:href="#clip1"/></g><a href="x.png">x</a></svg>';
    expect(scopeSvgIds(svg, 'fig-a')).toBe('<svg><clipPath id="fig-a-clip1"><rect/></clipPath><g clip-path="url(#fig-a-clip1)"><use xlink:href="#fig-a-clip1"/></g><a href="x.png">x</a></svg>');
  });


  it('escapes text and flattens meta.json into dotted keys', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(flattenMeta({ a: 1, b: { c: 'x', d: [1, 2] }, e: [{ f: null }], g: {} })).toEqual([
      ['a', '1'],
      ['b.c', 'x'],
      ['b.d', '1, 2'],
      ['e[0].f', 'null'],
      ['g', '{}'],
    ]);
  });
});
