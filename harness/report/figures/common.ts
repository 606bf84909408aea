// What every figure shares: its shape, one look (fonts, sizes, colours), and
// the small statistics the spec builders compute before handing rows over.
import type { Config, TopLevelSpec } from 'vega-lite';
import { groupBy } from '../../group-by.js';

export { groupBy };

export interface Figure {
  /** File stem: fig-<name>.svg / .png, and the id of its container in report.html. */
  readonly name: string;
  readonly title: string;
  /** One or two sentences under the figure: what is drawn and how to read it. */
  readonly caption: string;
  readonly spec: TopLevelSpec;
}

/** Runs in the order given, so colours and dashes stay put between figures. */
export interface FigureContext {
  readonly runs: readonly string[];
  /** Compare mode: by worseKey(kind, platform, operation), a note that the new run got worse there. */
  readonly worse?: ReadonlyMap<string, string>;
  /** The scenarios meta.json calls latency scenarios; when known, only they feed the latency figures. */
  readonly latencyScenarios?: ReadonlySet<string>;
}

export const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

export const CONFIG: Config = {
  font: FONT,
  // No per-mark ARIA descriptions: they would repeat every data point in the inline SVG.
  aria: false,
  background: 'white',
  padding: 8,
  title: { fontSize: 15, fontWeight: 'bold', anchor: 'start', offset: 12 },
  // Text is measured by estimate (no canvas on the server), which runs long: generous limits keep labels whole.
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e8e8e8', labelLimit: 420 },
  header: { labelFontSize: 12, titleFontSize: 12, labelFontWeight: 'bold' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', orient: 'right', labelLimit: 420 },
  view: { stroke: '#d0d0d0' },
};

/** SEB in the accent colour, direct in a calm blue: the same in every figure. */
export const PATH_COLORS = { seb: '#d9480f', direct: '#1c7ed6' } as const;
export const PATHS = ['seb', 'direct'] as const;

/** Run 1 solid, run 2 dashed (compare mode: base then new). */
export const RUN_DASHES = [[1, 0], [6, 3], [2, 2]] as const;
export const RUN_SHAPES = ['circle', 'triangle-up', 'square'] as const;
export const RUN_COLORS = ['#868e96', '#5f3dc4', '#2b8a3e'] as const;

export const panelLabel = (platform: string, operation: string): string => `${platform} · ${operation}`;

/** Latency panels are about latency scenarios; sweep panels about the steps of a rate sweep. */
export type PanelKind = 'latency' | 'sweep';
export const worseKey = (kind: PanelKind, platform: string, operation: string): string => `${kind}\0${platform}\0${operation}`;

/** A panel's title, with the compare note when the new run got worse there. */
export function panelTitle(ctx: FigureContext, platform: string, operation: string, kind: PanelKind = 'latency'): string {
  const note = ctx.worse?.get(worseKey(kind, platform, operation));
  return note === undefined ? panelLabel(platform, operation) : `${panelLabel(platform, operation)}  ▲ ${note}`;
}

/** An operation's label inside its platform's panel, with the compare note when the new run got worse there. */
export function operationTitle(ctx: FigureContext, platform: string, operation: string): string {
  const note = ctx.worse?.get(worseKey('latency', platform, operation));
  return note === undefined ? operation : `${operation}  ▲ ${note}`;
}

/** A label for a run-specific row or series: the bare name with one run, `name — run` with several. */
export function withRun(ctx: FigureContext, name: string, run: string): string {
  return ctx.runs.length > 1 ? `${name} — ${run}` : name;
}

export function runScale(ctx: FigureContext, range: readonly (string | readonly number[])[]): { domain: string[]; range: unknown[] } {
  return { domain: [...ctx.runs], range: ctx.runs.map((_, i) => range[i % range.length]) };
}

/** Nearest-rank quantile of sorted values (q in [0, 1]); the same rule as the run's percentiles. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

/** The middle value; with an even count, the mean of the two middle ones (as pandas and numpy). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  return n % 2 === 1 ? (sorted[(n - 1) / 2] as number) : ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2;
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** A sweep step's scenario is `<name>@<rate>rps` (harness/metrics/history.ts): its offered rate, or null. */
export function offeredRateOf(scenario: string): number | null {
  const m = /@([0-9]+(?:\.[0-9]+)?)rps$/.exec(scenario);
  return m === null ? null : Number(m[1]);
}

export function sweepName(scenario: string): string {
  return scenario.replace(/@[0-9]+(?:\.[0-9]+)?rps$/, '');
}

/** Facet columns for n panels: at most `max` across. */
export function columnsFor(n: number, max = 3): number {
  return Math.max(1, Math.min(max, n));
}

/** Rows of the latency scenarios, when meta.json named them; all rows otherwise. */
export function ofLatencyScenarios<T extends { readonly scenario: string }>(rows: readonly T[], ctx: FigureContext): T[] {
  const keep = ctx.latencyScenarios;
  return keep === undefined ? [...rows] : rows.filter((r) => keep.has(r.scenario));
}
