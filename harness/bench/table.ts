// The final table of `seb bench paper`: our numbers beside the paper's, read
// back from the run's CSV files and computed by the report's paper table
// (harness/report/paper-table.ts), so the terminal and the report agree.
import { costRows, costScenarios, type CostRow } from '../report/cost-table.js';
import { median, round } from '../report/figures/common.js';
import { sweepPointsFromSweep } from '../report/figures/throughput.js';
import { PAPER, paperTable, type PaperTable } from '../report/paper-table.js';
import { requestCostRows, type PathRequests, type RequestCostRow } from '../report/platform-request-table.js';
import { loadRun } from '../report/run-data.js';
import type { DriftRow } from '../results/drift.js';
import type { StormRow } from '../results/storm.js';

export interface BenchTable extends PaperTable {
  readonly drift: readonly DriftRow[];
  readonly storm: readonly StormRow[];
  readonly cost: readonly CostRow[];
  readonly requests: readonly RequestCostRow[];
}

/** Only latency scenarios pair SEB with direct for the overhead: drift trials are denied on purpose. */
export function benchTable(runDir: string, latencyScenarios: readonly string[], drift: readonly DriftRow[], storm: readonly StormRow[]): BenchTable {
  const run = loadRun(runDir);
  const summary = (run.summary ?? []).filter((r) => latencyScenarios.includes(r.scenario));
  const points = sweepPointsFromSweep(run.sweep ?? []);
  const cpu = run.cpu ?? [];
  const scenarios = costScenarios(cpu, latencyScenarios, points);
  return { ...paperTable(summary, points), drift, storm, cost: costRows(cpu, scenarios), requests: requestCostRows(run.platformRequests ?? [], scenarios) };
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const ratio = (r: number | null) => (r === null ? '-' : `${r.toFixed(2)}x`);
const signed = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(1)} ms`;

export function formatBenchTable(t: BenchTable): string {
  const rows: string[][] = [['', 'paper', 'p50 SEB', 'p50 direct', 'added (p50)', 'ratio', 'added p99']];
  for (const p of t.platforms) {
    const ops = t.operations.filter((o) => o.platform === p.platform);
    rows.push([
      `${p.platform} (median of ${p.operations} kinds)`,
      p.paper_added_ms === null ? '-' : `~${p.paper_added_ms} ms added`,
      ms(round(median(ops.map((o) => o.p50_seb_ms)))),
      ms(round(median(ops.map((o) => o.p50_direct_ms)))),
      signed(p.added_ms),
      ratio(p.ratio),
      signed(round(median(ops.map((o) => o.added_p99_ms)))),
    ]);
    for (const o of ops) rows.push([`  ${o.operation}`, '', ms(o.p50_seb_ms), ms(o.p50_direct_ms), signed(o.added_ms), ratio(o.ratio), signed(o.added_p99_ms)]);
  }
  const lines = ['', 'SEB beside the paper (latency: p50 over each kind\'s measured requests, SEB and direct in the same run)', ...columns(rows)];

  if (t.throughput.length > 0) {
    const tp: string[][] = [['throughput', 'paper', 'path', 'sustained', 'saturated at (offered)', 'SEB / direct']];
    for (const r of t.throughput) {
      const direct = t.throughput.find((d) => d.platform === r.platform && d.path === 'direct')?.sustained_rps ?? null;
      const of = r.path === 'seb' && r.sustained_rps !== null && direct !== null && direct > 0 ? ratio(round(r.sustained_rps / direct, 3)) : '';
      tp.push([
        r.platform,
        PAPER.throughput,
        r.path,
        r.sustained_rps === null ? 'none' : `${r.sustained_rps} rps`,
        r.saturated_at_rps === null ? 'not within the sweep' : `${r.saturated_at_rps} rps`,
        of,
      ]);
    }
    lines.push('', ...columns(tp));
  }
  if (t.cost.length > 0) {
    const cpu = (c: CostRow['seb']) => (c === null ? '-' : `${c.total_ms.toFixed(2)} ms`);
    const parts = (c: CostRow['seb']) => (c === null ? '' : Object.entries(c.by_process).map(([p, v]) => `${p} ${v.toFixed(2)}`).join(', '));
    const rows: string[][] = [['CPU per mutation (all processes)', 'SEB', 'direct', 'ratio', 'SEB by process (ms)', 'direct by process (ms)']];
    for (const c of t.cost) rows.push([`${c.scenario} ${c.platform}/${c.operation}`, cpu(c.seb), cpu(c.direct), ratio(c.ratio), parts(c.seb), parts(c.direct)]);
    lines.push('', ...columns(rows));
  }
  if (t.requests.length > 0) {
    const total = (p: PathRequests | null) => (p === null ? '-' : p.total.toFixed(2));
    // Background requests (a lease renewal) round to 0.00 per mutation: in the CSV, not here.
    const parts = (p: PathRequests | null) => (p === null ? '' : p.by_request.filter((r) => r.per_mutation > 0).map((r) => `${r.request} ${r.per_mutation.toFixed(2)}`).join(', '));
    const rows: string[][] = [['Platform requests per mutation (the platform\'s count)', 'SEB', 'direct', 'SEB by request', 'direct by request']];
    for (const r of t.requests) rows.push([`${r.scenario} ${r.platform}/${r.operation}`, total(r.seb), total(r.direct), parts(r.seb), parts(r.direct)]);
    lines.push('', ...columns(rows));
  }
  const seb = t.drift.filter((d) => d.path === 'seb');
  if (seb.length > 0) {
    const sum = (k: 'trials' | 'drifted' | 'detected' | 'precondition_caught' | 'missed' | 'false_positives') => seb.reduce((n, d) => n + d[k], 0);
    const direct = t.drift.filter((d) => d.path === 'direct');
    lines.push(
      '',
      `drift: SEB caught ${sum('detected') + sum('precondition_caught')} of ${sum('drifted')} drifted trials (${sum('detected')} by the drift check, ${sum('precondition_caught')} by the platform's precondition), ` +
        `missed ${sum('missed')}, ${sum('false_positives')} false positives in ${sum('trials')} trials; the direct path let ${direct.reduce((n, d) => n + d.missed, 0)} of ${direct.reduce((n, d) => n + d.drifted, 0)} through`,
    );
  }
  if (t.storm.length > 0) {
    const total = (k: 'certificates' | 'submissions' | 'executed_once' | 'executed_more' | 'executed_never') => t.storm.reduce((n, s) => n + s[k], 0);
    lines.push(
      `replay storm: ${total('certificates')} certificates, ${total('submissions')} submissions: ${total('executed_once')} executed exactly once, ${total('executed_never')} never, ${total('executed_more')} more than once (must be 0)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function columns(rows: readonly string[][]): string[] {
  const widths = (rows[0] as string[]).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join('  ').trimEnd());
}
