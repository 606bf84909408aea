// What a compare report marks as worse: the rows of `seb bench compare`'s
// comparison (harness/compare.ts) whose new/base ratio passed the threshold,
// condensed per figure panel to the worst ratio of each path.
import type { Comparison } from '../compare.js';
import { offeredRateOf, worseKey, type PanelKind } from './figures/common.js';

/** Keyed by worseKey(kind, platform, operation): e.g. `seb p99 ×1.42`, worst ratio per path. */
export function worseNotes(c: Comparison): Map<string, string> {
  const worst = new Map<string, Map<string, number>>();
  for (const r of c.rows) {
    if (r.verdict !== 'worse' || r.ratio === null) continue;
    const kind: PanelKind = offeredRateOf(r.scenario) === null ? 'latency' : 'sweep';
    const key = worseKey(kind, r.platform, r.operation);
    const byPath = worst.get(key) ?? new Map<string, number>();
    byPath.set(r.path, Math.max(byPath.get(r.path) ?? 0, r.ratio));
    worst.set(key, byPath);
  }
  return new Map(
    [...worst].map(([key, byPath]) => [key, [...byPath].map(([path, ratio]) => `${path} ${c.percentile} ×${Number.isFinite(ratio) ? ratio.toFixed(2) : '∞'}`).join(', ')]),
  );
}
