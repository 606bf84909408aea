// The fault matrix: a grid of safety violations and recovery times. Red where
// a safety property was violated, amber where the system did not recover,
// green otherwise. faults.csv as the fault bench writes it (results/faults.ts):
// `phase` is the window a row counts, before, during or after the fault (and
// one `total` row for the whole matrix): one grid row per fault and target,
// one column per window, and a last column with the recovery time.
import type { TopLevelSpec } from 'vega-lite';
import type { FaultRow } from '../run-data.js';
import { CONFIG, groupBy, type Figure, type FigureContext } from './common.js';

export const FAULT_STATUS = [
  { key: 'ok', label: 'no violation', color: '#b2f2bb' },
  { key: 'stuck', label: 'did not recover', color: '#ffd8a8' },
  { key: 'violation', label: 'safety violation', color: '#ff8787' },
] as const;
type Status = (typeof FAULT_STATUS)[number]['key'];

/** The windows of faults.csv, in the order drawn; `total` rows sum the whole matrix and are not drawn. */
export const WINDOWS = ['before', 'during', 'after'] as const;
const RECOVERY_COLUMN = 'recovery';

export interface FaultCell {
  readonly run: string;
  /** Grid row and column. */
  readonly row: string;
  readonly column: string;
  readonly violations: number;
  /** The slowest recovery among the cell's rows; null when one of them never recovered (or, for a window cell, not shown). */
  readonly recovery_ms: number | null;
  readonly status: string;
  readonly line1: string;
  readonly line2: string;
}

export interface FaultGrid {
  readonly cells: FaultCell[];
  readonly rows: string[];
  readonly columns: string[];
  /** The `total` rows, summed (requests, violations). */
  readonly total?: { readonly requests: number; readonly violations: number };
}

const statusLabel = (key: Status) => FAULT_STATUS.find((s) => s.key === key)?.label ?? key;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const sum = (rows: readonly FaultRow[], f: (r: FaultRow) => number) => rows.reduce((s, r) => s + f(r), 0);

function slowestRecovery(rows: readonly FaultRow[]): number | null {
  return rows.every((r) => r.recovery_ms !== null) ? Math.max(...rows.map((r) => r.recovery_ms as number)) : null;
}

export function faultGrid(all: readonly FaultRow[]): FaultGrid {
  const totals = all.filter((r) => r.phase === 'total');
  const rows = all.filter((r) => r.phase !== 'total');
  const cells: FaultCell[] = [];
  for (const group of groupBy(rows, (r) => [r.run, r.fault, r.target].join('\0')).values()) {
    const first = group[0] as FaultRow;
    const row = `${first.fault} → ${first.target}`;
    for (const window of groupBy(group, (r) => r.phase).values()) {
      const w = window[0] as FaultRow;
      const violations = sum(window, (r) => r.violations);
      const requests = sum(window, (r) => r.requests);
      cells.push({
        run: first.run,
        row,
        column: w.phase,
        violations,
        recovery_ms: null,
        status: statusLabel(violations > 0 ? 'violation' : 'ok'),
        line1: plural(violations, 'violation'),
        line2: `${sum(window, (r) => r.executed)} of ${requests} executed`,
      });
    }
    const recovery = slowestRecovery(group);
    cells.push({
      run: first.run,
      row,
      column: RECOVERY_COLUMN,
      violations: 0,
      recovery_ms: recovery,
      status: statusLabel(recovery === null ? 'stuck' : 'ok'),
      line1: recovery === null ? 'no recovery' : formatMs(recovery),
      line2: recovery === null ? '' : 'to recover',
    });
  }
  const present = new Set(cells.map((c) => c.column));
  const columns = [...WINDOWS.filter((w) => present.has(w)), ...[...present].filter((c) => !(WINDOWS as readonly string[]).includes(c) && c !== RECOVERY_COLUMN), RECOVERY_COLUMN];
  return {
    cells,
    rows: [...new Set(cells.map((c) => c.row))],
    columns,
    ...(totals.length === 0 ? {} : { total: { requests: sum(totals, (r) => r.requests), violations: sum(totals, (r) => r.violations) } }),
  };
}

function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function faultsFigure(rows: readonly FaultRow[], ctx: FigureContext): Figure | undefined {
  const grid = faultGrid(rows);
  if (grid.cells.length === 0) return undefined;
  const x = {
    field: 'column',
    type: 'nominal',
    title: 'Requests counted before, during and after the fault; time to recover after it',
    sort: grid.columns,
    axis: { orient: 'top', labelAngle: 0, labelLimit: 200, labelFontSize: 12 },
  } as const;
  // labelLimit 0: no truncation (the server estimates text width, generously, so a limit cuts labels that would fit).
  const y = { field: 'row', type: 'nominal', title: null, sort: grid.rows, axis: { labelLimit: 0, labelFontSize: 12 } } as const;
  const present = FAULT_STATUS.filter((s) => grid.cells.some((c) => c.status === s.label));
  const cellSpec = {
    width: { step: 130 },
    height: { step: 42 },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
        encoding: { x, y, color: { field: 'status', type: 'nominal', title: 'Cell', scale: { domain: present.map((s) => s.label), range: present.map((s) => s.color) } } },
      },
      { mark: { type: 'text', dy: -7, fontSize: 11, fontWeight: 'bold' }, encoding: { x, y, text: { field: 'line1', type: 'nominal' } } },
      { mark: { type: 'text', dy: 8, fontSize: 10 }, encoding: { x, y, text: { field: 'line2', type: 'nominal' } } },
    ],
  };
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: CONFIG,
    title: { text: 'Fault matrix', subtitle: 'Safety violations (must be 0) and the time to recover, for each fault' },
    data: { values: grid.cells },
  };
  const spec = ctx.runs.length > 1 ? { ...base, facet: { column: { field: 'run', type: 'nominal', title: null, sort: [...ctx.runs] } }, spec: cellSpec } : { ...base, ...cellSpec };
  const total = grid.total === undefined ? '' : ` Over the whole matrix: ${grid.total.requests} requests, ${plural(grid.total.violations, 'safety violation')}.`;
  return {
    name: 'faults',
    title: 'Fault matrix',
    caption: `One row per fault and its target: the safety violations among the requests counted before, during and after it (must be 0), how many of them executed, and how long after its removal requests succeeded again.${total}`,
    spec: spec as unknown as TopLevelSpec,
  };
}
