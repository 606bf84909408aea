// Drift detection outcomes: of the trials an out-of-band mutator struck, how
// many the broker denied for drift, the platform refused on its precondition,
// or executed anyway; of the clean trials, how many were flagged wrongly.
import type { TopLevelSpec } from 'vega-lite';
import type { DriftRow } from '../run-data.js';
import { CONFIG, round, withRun, type Figure, type FigureContext } from './common.js';

export const DRIFT_OUTCOMES = [
  { key: 'detected', label: 'drifted: denied by the broker (drift)', color: '#2f9e44' },
  { key: 'precondition_caught', label: 'drifted: refused by the platform (precondition)', color: '#8ce99a' },
  { key: 'missed', label: 'drifted: executed anyway (missed)', color: '#e03131' },
  { key: 'other', label: 'drifted: failed otherwise', color: '#adb5bd' },
  { key: 'false_positives', label: 'clean: flagged (false positive)', color: '#f08c00' },
  { key: 'clean', label: 'clean: not flagged', color: '#a5d8ff' },
] as const;

export interface DriftSegment {
  readonly run: string;
  readonly bar: string;
  readonly outcome: string;
  readonly count: number;
  readonly x0: number;
  readonly x1: number;
}

/** What one drift row is about: its platform and operation, and its path unless it is the broker's. */
function groupName(r: DriftRow): string {
  return [r.platform, r.operation, ...(r.path === 'seb' ? [] : [r.path])].join(' · ');
}

export function driftSegments(rows: readonly DriftRow[], ctx: FigureContext): DriftSegment[] {
  const segments: DriftSegment[] = [];
  const names = rows.map((r) => withRun(ctx, groupName(r), r.run));
  rows.forEach((r, i) => {
    // Rows of one group (two drift scenarios on one operation) are numbered, so their bars stay apart.
    const name = names.filter((n) => n === names[i]).length > 1 ? `${names[i]} (set ${names.slice(0, i + 1).filter((n) => n === names[i]).length})` : (names[i] as string);
    const caught = r.drifted > 0 ? Math.round(((r.detected + r.precondition_caught) / r.drifted) * 100) : null;
    const clean = r.trials - r.drifted;
    const counts: Record<(typeof DRIFT_OUTCOMES)[number]['key'], number> = {
      detected: r.detected,
      precondition_caught: r.precondition_caught,
      missed: r.missed,
      other: Math.max(0, r.drifted - r.detected - r.precondition_caught - r.missed),
      false_positives: r.false_positives,
      clean: Math.max(0, clean - r.false_positives),
    };
    const bars = [
      { bar: `${name}: drifted (${r.drifted}${caught === null ? '' : `, ${caught}% caught`})`, keys: ['detected', 'precondition_caught', 'missed', 'other'] as const },
      { bar: `${name}: clean (${clean})`, keys: ['false_positives', 'clean'] as const },
    ];
    for (const { bar, keys } of bars) {
      let x = 0;
      for (const key of keys) {
        const count = counts[key];
        if (count === 0) continue;
        const outcome = DRIFT_OUTCOMES.find((o) => o.key === key)?.label ?? key;
        segments.push({ run: r.run, bar, outcome, count, x0: x, x1: round(x + count) });
        x += count;
      }
    }
  });
  return segments;
}

export function driftFigure(rows: readonly DriftRow[], ctx: FigureContext): Figure | undefined {
  const segments = driftSegments(rows, ctx);
  if (segments.length === 0) return undefined;
  const y = { field: 'bar', type: 'nominal', title: null, sort: [...new Set(segments.map((s) => s.bar))], axis: { labelLimit: 0 } } as const; // 0: never truncate (widths are estimated on the server, generously)
  const present = DRIFT_OUTCOMES.filter((o) => segments.some((s) => s.outcome === o.label));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: CONFIG,
    title: { text: 'Drift detection outcomes', subtitle: 'Trials struck by an out-of-band change, and clean trials, by what became of them' },
    width: 520,
    height: { step: 26 },
    data: { values: segments.map((s) => ({ ...s, mid: (s.x0 + s.x1) / 2, wide: s.x1 - s.x0 })) },
    layer: [
      {
        mark: { type: 'bar', stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          y,
          x: { field: 'x0', type: 'quantitative', title: 'Trials' },
          x2: { field: 'x1' },
          color: { field: 'outcome', type: 'nominal', title: 'Outcome', scale: { domain: present.map((o) => o.label), range: present.map((o) => o.color) } },
        },
      },
      {
        mark: { type: 'text', fontSize: 10, color: '#212529' },
        encoding: { y, x: { field: 'mid', type: 'quantitative' }, text: { field: 'count', type: 'quantitative' } },
      },
    ],
  };
  return {
    name: 'drift',
    title: 'Drift detection outcomes',
    caption:
      'For each group of drift trials: the drifted ones split into denied by the broker for drift, refused by the platform on its precondition, executed anyway (missed: must be 0 on the SEB path; a direct path, when measured, shows what happens without the broker) and failed otherwise; the clean ones into flagged wrongly (false positives) and not flagged. "Caught" counts the broker and the platform together.',
    spec: spec as unknown as TopLevelSpec,
  };
}
