// report.html as a person sees it: Debian's Chromium opens a report built from
// a synthetic run, with no console or page errors and no request leaving the
// file, and every figure container holds an SVG with marks drawn in it. A
// screenshot of each page is kept in the test folder (its path is printed).
// Needs /usr/bin/chromium: harness/report/install-chromium.sh installs it.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCompareReport, buildReport } from './build.js';
import { writeSyntheticRun } from './synthetic-run.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const FIGURES = ['latency-cdf', 'phases', 'throughput', 'drift', 'revocation', 'faults', 'microbench'];

let dir: string;
let context: BrowserContext;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run harness/report/install-chromium.sh (apt-get install chromium) before this test`);
  }
  dir = mkdtempSync(join(tmpdir(), 'seb-report-browser-'));
  writeSyntheticRun(join(dir, 'base'), { requests: 60, faultViolations: 1 });
  writeSyntheticRun(join(dir, 'new'), { requests: 60, runId: '20260102T000000Z-synthetic', seed: 7, sebSlowdown: 1.5 });
  await buildReport(join(dir, 'base'));
  await buildCompareReport(join(dir, 'base'), join(dir, 'new'));
  // A fresh profile for every run: nothing cached or remembered from before.
  context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1400, height: 900 } });
});

afterAll(async () => {
  await context?.close();
  if (dir !== undefined && process.env.SEB_KEEP_REPORT === undefined) rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['single run', 'base/report.html'],
  ['compare', 'new/compare/report.html'],
])('report.html in Chromium: %s', (name, file) => {
  it('loads without errors or network, and draws every figure', async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) problems.push(`request off the file: ${r.url()}`);
    });
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    const url = pathToFileURL(join(dir, file)).href;
    const response = await page.goto(url, { waitUntil: 'load' });
    expect(response?.ok()).toBe(true);

    for (const figure of FIGURES) {
      const box = page.locator(`figure#fig-${figure}`);
      await expect(box.count(), `figure ${figure}`).resolves.toBe(1);
      const drawn = await box.evaluate((el) => {
        const svg = el.querySelector('svg');
        if (svg === null) return { svg: false, width: 0, height: 0, marks: 0 };
        const rect = svg.getBoundingClientRect();
        // Marks vega drew: paths, lines and text of role "mark" groups, with a real size on screen.
        const marks = [...svg.querySelectorAll('g[class*="role-mark"] > *')].filter((m) => {
          const r = m.getBoundingClientRect();
          return r.width > 0 || r.height > 0;
        }).length;
        return { svg: true, width: rect.width, height: rect.height, marks };
      });
      expect(drawn.svg, `figure ${figure} has an svg`).toBe(true);
      expect(drawn.width, `figure ${figure} width`).toBeGreaterThan(200);
      expect(drawn.height, `figure ${figure} height`).toBeGreaterThan(100);
      expect(drawn.marks, `figure ${figure} marks`).toBeGreaterThan(3);
    }
    await expect(page.locator('table.paper').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('table.meta').count()).resolves.toBeGreaterThan(0);
    if (name === 'compare') await expect(page.locator('tr.worse').count()).resolves.toBeGreaterThan(0);

    const shot = join(dir, `report-${name.replace(/\W+/g, '-')}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(50_000);
    process.stdout.write(`screenshot: ${shot}${process.env.SEB_KEEP_REPORT === undefined ? ' (removed after the test; set SEB_KEEP_REPORT=1 to keep it)' : ''}\n`);
    expect(problems).toEqual([]);
    await page.close();
  });
});
