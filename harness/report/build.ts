// Build a report: read one run (or two, to compare), draw every figure whose
// CSV is there, write fig-<name>.svg/.png and report.html into the output
// folder. The figure specs are pure (figures/); this file does the I/O.
import { join } from 'node:path';
import { writeFileAtomic } from '../../broker/files.js';
import { compareSummaries, readSummary, type Comparison, type Percentile } from '../compare.js';
import { worseNotes } from './compare-marks.js';
import type { Figure, FigureContext } from './figures/common.js';
import { driftFigure } from './figures/drift.js';
import { faultsFigure } from './figures/faults.js';
import { latencyCdfFigure } from './figures/latency-cdf.js';
import { microbenchFigure } from './figures/microbench.js';
import { phasesFigure } from './figures/phases.js';
import { revocationFigure } from './figures/revocation.js';
import { sweepPointsOf, throughputFigure } from './figures/throughput.js';
import { cpuFigure } from './figures/cpu.js';
import { reportHtml, type RenderedFigure } from './html.js';
import { paperTable } from './paper-table.js';
import { renderPng, renderSvg } from './render.js';
import { latencyScenariosOf, loadRun, rowsOf, type RunData } from './run-data.js';

type RowKind = Exclude<keyof RunData, 'label' | 'dir' | 'meta'>;

interface FigureMaker {
  readonly title: string;
  /** The rows it is drawn from, for the "not drawn" note. */
  readonly from: readonly RowKind[];
  make(runs: readonly RunData[], ctx: FigureContext): Figure | undefined;
}

/** In the order the report shows them. */
export const FIGURES: readonly FigureMaker[] = [
  { title: 'Latency distribution', from: ['requests'], make: (runs, ctx) => maybe(rowsOf(runs, 'requests'), (rows) => latencyCdfFigure(rows, ctx)) },
  { title: 'Where the time goes', from: ['requests'], make: (runs, ctx) => maybe(rowsOf(runs, 'requests'), (rows) => phasesFigure(rows, ctx)) },
  { title: 'Throughput against latency', from: ['sweep', 'summary'], make: (runs, ctx) => throughputFigure(runs, ctx) },
  { title: 'CPU per mutation', from: ['cpu'], make: (runs, ctx) => cpuFigure(runs, ctx) },
  { title: 'Drift detection outcomes', from: ['drift'], make: (runs, ctx) => maybe(rowsOf(runs, 'drift'), (rows) => driftFigure(rows, ctx)) },
  { title: 'Revocation propagation', from: ['revocation'], make: (runs, ctx) => maybe(rowsOf(runs, 'revocation'), (rows) => revocationFigure(rows, ctx)) },
  { title: 'Fault matrix', from: ['faults'], make: (runs, ctx) => maybe(rowsOf(runs, 'faults'), (rows) => faultsFigure(rows, ctx)) },
  { title: 'Microbenchmarks', from: ['microbench'], make: (runs, ctx) => maybe(rowsOf(runs, 'microbench'), (rows) => microbenchFigure(rows, ctx)) },
];

const FILE_OF: Readonly<Record<RowKind, string>> = {
  requests: 'requests.csv',
  summary: 'summary.csv',
  sweep: 'sweep.csv',
  cpu: 'cpu.csv',
  platformRequests: 'platform-requests.csv',
  drift: 'drift.csv',
  revocation: 'revocation.csv',
  faults: 'faults.csv',
  microbench: 'microbench.csv',
};

/** Why a figure was not drawn: its files are absent, or hold no rows it can use. */
function whyNot(runs: readonly RunData[], kinds: readonly RowKind[]): string {
  const files = kinds.map((k) => FILE_OF[k]).join(' or ');
  return kinds.every((k) => runs.every((r) => r[k] === undefined)) ? `no ${files}` : `no rows for it in ${files}`;
}

function maybe<T>(rows: T | undefined, make: (rows: T) => Figure | undefined): Figure | undefined {
  return rows === undefined ? undefined : make(rows);
}

export interface ReportResult {
  readonly outDir: string;
  readonly html: string;
  /** Every file written, report.html last. */
  readonly files: readonly string[];
  readonly figures: readonly string[];
  readonly skipped: readonly { readonly title: string; readonly why: string }[];
  readonly comparison?: Comparison;
}

export interface ReportOptions {
  readonly outDir?: string;
  readonly now?: Date;
}

export async function buildReport(runDir: string, o: ReportOptions = {}): Promise<ReportResult> {
  const run = loadRun(runDir);
  return write([run], o.outDir ?? runDir, `SEB report: ${run.label}`, withLatencyScenarios([run], { runs: [run.label] }), o.now ?? new Date());
}

export interface CompareOptions extends ReportOptions {
  readonly percentile?: Percentile;
  readonly threshold?: number;
}

/** Two runs in the same figures (base solid, new dashed), and the rows whose ratio worsened, as `seb bench compare` judges them. */
export async function buildCompareReport(baseDir: string, newDir: string, o: CompareOptions = {}): Promise<ReportResult> {
  const base = loadRun(baseDir, 'base');
  const next = loadRun(newDir, 'new');
  const ids = [idOf(base, baseDir), idOf(next, newDir)];
  let comparison: Comparison | undefined;
  if (base.summary !== undefined && next.summary !== undefined) {
    comparison = compareSummaries(readSummary(baseDir), readSummary(newDir), { percentile: o.percentile ?? 'p99', threshold: o.threshold ?? 1.25 });
  }
  const ctx = withLatencyScenarios([base, next], { runs: ['base', 'new'], ...(comparison === undefined ? {} : { worse: worseNotes(comparison) }) });
  return write([base, next], o.outDir ?? join(newDir, 'compare'), `SEB report: ${ids[1]} against ${ids[0]}`, ctx, o.now ?? new Date(), comparison);
}

/** The latency scenarios named by the runs' meta.json files (their union), when any run names its scenarios' kinds. */
function withLatencyScenarios(runs: readonly RunData[], ctx: FigureContext): FigureContext {
  const sets = runs.map((r) => latencyScenariosOf(r.meta));
  if (sets.every((s) => s === undefined)) return ctx;
  return { ...ctx, latencyScenarios: new Set(sets.flatMap((s) => (s === undefined ? [] : [...s]))) };
}

function idOf(run: RunData, dir: string): string {
  const id = run.meta?.run_id;
  return typeof id === 'string' ? id : dir;
}

async function write(runs: readonly RunData[], outDir: string, title: string, ctx: FigureContext, now: Date, comparison?: Comparison): Promise<ReportResult> {
  const rendered: RenderedFigure[] = [];
  const skipped: { title: string; why: string }[] = [];
  const files: string[] = [];
  for (const maker of FIGURES) {
    const figure = maker.make(runs, ctx);
    if (figure === undefined) {
      skipped.push({ title: maker.title, why: whyNot(runs, maker.from) });
      continue;
    }
    const svg = await renderSvg(figure.spec);
    const names = [`fig-${figure.name}.svg`, `fig-${figure.name}.png`];
    writeFileAtomic(join(outDir, names[0] as string), svg);
    writeFileAtomic(join(outDir, names[1] as string), renderPng(svg));
    files.push(...names.map((n) => join(outDir, n)));
    rendered.push({ figure, svg, files: names });
  }
  const pages = runs.map((run) => {
    const sweep = sweepPointsOf(run).points;
    const id = run.meta?.run_id;
    const label = typeof id === 'string' && id !== run.label ? `${run.label} (${id})` : run.label;
    const latency = latencyScenariosOf(run.meta);
    const summary = (run.summary ?? []).filter((r) => latency === undefined || latency.has(r.scenario));
    return { label, dir: run.dir, ...(run.meta === undefined ? {} : { meta: run.meta }), paper: paperTable(summary, sweep) };
  });
  const html = join(outDir, 'report.html');
  writeFileAtomic(html, reportHtml({ title, runs: pages, figures: rendered, skipped, generatedAt: now, ...(comparison === undefined ? {} : { comparison }) }));
  files.push(html);
  return { outDir, html, files, figures: rendered.map((r) => r.figure.name), skipped, ...(comparison === undefined ? {} : { comparison }) };
}
