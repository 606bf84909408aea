// report.html: one self-contained page (inline CSS and SVG, no script, no
// network): the paper table, what worsened (compare mode), every figure that
// had data, and each run's meta.json as a table.
import type { JsonObject, JsonValue } from '../../broker/core/strict-json.js';
import type { Comparison } from '../compare.js';
import type { Figure } from './figures/common.js';
import { PAPER, type PaperTable } from './paper-table.js';

export interface RenderedFigure {
  readonly figure: Figure;
  readonly svg: string;
  /** File names next to report.html. */
  readonly files: readonly string[];
}

export interface PageInput {
  readonly title: string;
  readonly runs: readonly { readonly label: string; readonly dir: string; readonly meta?: JsonObject; readonly paper: PaperTable }[];
  readonly figures: readonly RenderedFigure[];
  /** Figures not drawn, and why (no such CSV in the run). */
  readonly skipped: readonly { readonly title: string; readonly why: string }[];
  readonly comparison?: Comparison;
  readonly generatedAt: Date;
}

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

const num = (n: number | null, digits = 1) => (n === null ? '–' : Number.isFinite(n) ? n.toFixed(digits) : '∞');

/** Nested meta.json as dotted keys and printable values. */
export function flattenMeta(value: JsonValue, prefix = ''): [string, string][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return [[prefix, '{}']];
    return entries.flatMap(([k, v]) => flattenMeta(v, prefix === '' ? k : `${prefix}.${k}`));
  }
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return [[prefix, value.map((v) => String(v)).join(', ')]];
    return value.flatMap((v, i) => flattenMeta(v, `${prefix}[${i}]`));
  }
  return [[prefix, value === null ? 'null' : String(value)]];
}

function paperSection(run: PageInput['runs'][number], withLabel: boolean): string {
  const t = run.paper;
  const heading = withLabel ? `<h3>${escapeHtml(run.label)}</h3>` : '';
  if (t.operations.length === 0 && t.throughput.length === 0) return `${heading}<p class="note">No scenario in this run measured SEB and direct side by side, and none swept the rate (no summary.csv rows to compare).</p>`;
  const rows: string[] = [];
  for (const p of t.platforms) {
    rows.push(
      `<tr class="platform"><td>${escapeHtml(p.platform)}</td><td>median of ${p.operations} <span class="range">(added ${num(p.min_added_ms)} to ${num(p.max_added_ms)} ms)</span></td><td>${p.paper_added_ms === null ? '–' : `~${p.paper_added_ms}`}</td><td></td><td></td><td>${num(p.added_ms)}</td><td>${p.ratio === null ? '–' : `${num(p.ratio, 2)}×`}</td><td></td></tr>`,
    );
    for (const o of t.operations.filter((r) => r.platform === p.platform)) {
      rows.push(
        `<tr><td></td><td>${escapeHtml(o.operation)}</td><td></td><td>${num(o.p50_direct_ms)}</td><td>${num(o.p50_seb_ms)}</td><td>${num(o.added_ms)}</td><td>${o.ratio === null ? '–' : `${num(o.ratio, 2)}×`}</td><td>${num(o.added_p99_ms)}</td></tr>`,
      );
    }
  }
  const latency =
    t.operations.length === 0
      ? '<p class="note">No latency scenario with both paths in this run.</p>'
      : `<table class="paper"><thead><tr><th>platform</th><th>operation</th><th>paper: added ms</th><th>p50 direct (ms)</th><th>p50 SEB (ms)</th><th>ours: added p50 (ms)</th><th>SEB / direct (p50)</th><th>added p99 (ms)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  const throughput =
    t.throughput.length === 0
      ? '<p class="note">No throughput sweep in this run.</p>'
      : `<table class="paper"><thead><tr><th>platform</th><th>path</th><th>paper</th><th>ours: highest rate sustained (req/s)</th><th>saturated at (offered req/s)</th></tr></thead><tbody>${t.throughput
          .map(
            (r) =>
              `<tr><td>${escapeHtml(r.platform)}</td><td>${escapeHtml(r.path)}</td><td>${r.path === 'seb' ? escapeHtml(PAPER.throughput) : ''}</td><td>${num(r.sustained_rps)}</td><td>${r.saturated_at_rps === null ? 'not within the sweep' : num(r.saturated_at_rps, 0)}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  return `${heading}${latency}${throughput}`;
}

function comparisonSection(c: Comparison): string {
  const verdict = c.failed
    ? `<p class="verdict bad">${c.worse} row${c.worse === 1 ? '' : 's'} worse than ${c.threshold}× at ${c.percentile} (new / base)</p>`
    : `<p class="verdict good">No row worse than ${c.threshold}× at ${c.percentile}</p>`;
  const rows = c.rows
    .map(
      (r) =>
        `<tr class="${r.verdict}"><td>${escapeHtml(r.scenario)}</td><td>${escapeHtml(r.platform)}</td><td>${escapeHtml(r.path)}</td><td>${escapeHtml(r.operation)}</td><td>${num(r.base, 2)}</td><td>${num(r.next, 2)}</td><td>${r.ratio === null ? '–' : `${num(r.ratio, 2)}×`}</td><td>${r.verdict === 'worse' ? '▲ worse' : r.verdict}</td></tr>`,
    )
    .join('');
  return `${verdict}<table class="compare"><thead><tr><th>scenario</th><th>platform</th><th>path</th><th>operation</th><th>base ${c.percentile} (ms)</th><th>new ${c.percentile} (ms)</th><th>new / base</th><th>verdict</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/**
 * Inline SVGs share one document, so ids vega gives each figure (clip1, gradient…)
 * would collide: prefix every id and every local reference to one.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}-${id})`)
    .replace(/\b(xlink:href|href)="#([^"]+)"/g, (_, attr: string, id: string) => `${attr}="#${prefix}-${id}"`);
}

function figureSection(f: RenderedFigure): string {
  const links = f.files.map((file) => `<a href="${escapeHtml(file)}">${escapeHtml(file.split('.').pop() ?? file)}</a>`).join(' · ');
  return `<figure class="seb-figure" id="fig-${escapeHtml(f.figure.name)}" data-figure="${escapeHtml(f.figure.name)}" aria-label="${escapeHtml(f.figure.title)}"><div class="chart">${scopeSvgIds(f.svg, `fig-${f.figure.name}`)}</div><figcaption>${escapeHtml(f.figure.caption)} <span class="files">${links}</span></figcaption></figure>`;
}

function metaSection(run: PageInput['runs'][number], withLabel: boolean): string {
  const heading = withLabel ? `<h3>${escapeHtml(run.label)}</h3>` : '';
  if (run.meta === undefined) return `${heading}<p class="note">No meta.json in ${escapeHtml(run.dir)}.</p>`;
  const rows = flattenMeta(run.meta)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  return `${heading}<table class="meta">${rows}</table>`;
}

const STYLE = `
body{font-family:"DejaVu Sans","Liberation Sans",Arial,sans-serif;margin:0 auto;max-width:1280px;padding:24px 32px 64px;color:#212529;line-height:1.45}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:36px 0 10px;border-bottom:1px solid #dee2e6;padding-bottom:4px}h3{font-size:16px;margin:18px 0 8px}
.sub{color:#495057;margin:0 0 16px}nav a{margin-right:14px;color:#1864ab}
table{border-collapse:collapse;margin:8px 0 16px;font-size:14px}th,td{border-bottom:1px solid #e9ecef;padding:4px 10px;text-align:left;vertical-align:top}
thead th{background:#f1f3f5;font-weight:600}table.paper td:nth-child(n+3),table.compare td:nth-child(n+5){text-align:right;font-variant-numeric:tabular-nums}
tr.platform td{font-weight:600;background:#f8f9fa}span.range{color:#495057;font-weight:normal}
table.meta th{font-weight:normal;color:#495057;font-family:"DejaVu Sans Mono",monospace;font-size:13px}table.meta td{font-family:"DejaVu Sans Mono",monospace;font-size:13px;word-break:break-all}
tr.worse td{background:#fff5f5;color:#c92a2a;font-weight:600}tr.better td{color:#2b8a3e}tr.only-in-base td,tr.only-in-new td{color:#868e96}
.verdict{font-weight:600;padding:6px 10px;display:inline-block;border-radius:4px}.verdict.bad{background:#ffe3e3;color:#c92a2a}.verdict.good{background:#d3f9d8;color:#2b8a3e}
figure.seb-figure{margin:24px 0 40px}figure .chart{overflow-x:auto}figure .chart svg{max-width:100%;height:auto}
figcaption{color:#495057;font-size:14px;max-width:960px}figcaption .files a{color:#1864ab}
.note{color:#868e96}ul.skipped{color:#868e96}`;

export function reportHtml(p: PageInput): string {
  const many = p.runs.length > 1;
  const sections: string[] = [];
  const nav: string[] = [];
  const section = (id: string, title: string, body: string) => {
    nav.push(`<a href="#${id}">${escapeHtml(title)}</a>`);
    sections.push(`<section id="${id}"><h2>${escapeHtml(title)}</h2>${body}</section>`);
  };
  if (p.comparison !== undefined) section('worsened', 'What worsened', comparisonSection(p.comparison));
  section('paper', 'Beside the paper', `<p class="sub">The paper reports about 28 ms of added latency on Kubernetes, about 195 ms on AWS, and ${escapeHtml(PAPER.throughput)}. Ours: the p50 latency of SEB minus that of the same mutation made directly in the same run, and their ratio.</p>${p.runs.map((r) => paperSection(r, many)).join('')}`);
  const skipped = p.skipped.length === 0 ? '' : `<p class="note">Not drawn:</p><ul class="skipped">${p.skipped.map((s) => `<li>${escapeHtml(s.title)}: ${escapeHtml(s.why)}</li>`).join('')}</ul>`;
  section('figures', 'Figures', `${p.figures.map(figureSection).join('')}${skipped}`);
  section('meta', many ? 'The runs' : 'The run', p.runs.map((r) => metaSection(r, many)).join(''));
  const runs = p.runs.map((r) => `<code>${escapeHtml(r.label)}</code>`).join(' · ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(p.title)}</title><style>${STYLE}</style></head>
<body><header><h1>${escapeHtml(p.title)}</h1><p class="sub">${many ? 'Runs' : 'Run'} ${runs} · drawn ${escapeHtml(p.generatedAt.toISOString())}</p><nav>${nav.join('')}</nav></header>
${sections.join('\n')}
</body></html>
`;
}
