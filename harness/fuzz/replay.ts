// Re-run saved cases: ours in process against each case's expected
// decision, and optionally another verifier through the command line.
import type { Decision } from '../../broker/core/reasons.js';
import { sameOutcome, showOutcome } from './case.js';
import { caseDirs, readCase, type StoredCase } from './corpus.js';
import { runVerifier } from './differential.js';
import { decideCase } from './execute.js';
import { forEachLimited } from './run.js';

export interface ReplayRow {
  readonly stored: StoredCase;
  readonly ours: Decision;
  /** undefined: not run through another verifier (none given, or the case needs the in-process state). */
  readonly theirs?: Decision;
  readonly problem?: string;
  readonly ok: boolean;
}

/** Rows in the order of the case folders; `jobs` verifier processes run side by side. */
export async function replayCases(root: string, against?: readonly string[], jobs = 1): Promise<ReplayRow[]> {
  const stored = caseDirs(root).map(readCase);
  const rows: ReplayRow[] = new Array(stored.length);
  await forEachLimited(stored, jobs, async (s, i) => {
    rows[i] = await replayOne(s, against);
  });
  return rows;
}

async function replayOne(stored: StoredCase, against: readonly string[] | undefined): Promise<ReplayRow> {
  const c = stored.fuzzCase;
  const ours = await decideCase(c);
  const ok = sameOutcome(ours, c.expected);
  if (against === undefined || !c.cli) return { stored, ours, ok };
  const run = await runVerifier(against, c);
  const theirsOk = run.problem === undefined && run.decision !== undefined && sameOutcome(run.decision, c.expected);
  return { stored, ours, ok: ok && theirsOk, ...(run.decision ? { theirs: run.decision } : {}), ...(run.problem ? { problem: run.problem } : {}) };
}

export function replayTable(rows: readonly ReplayRow[], withTheirs: boolean): string {
  const head = ['case', 'expected', 'ours', ...(withTheirs ? ['theirs'] : []), 'result'];
  const cells = rows.map((r) => [
    r.stored.meta.name,
    showOutcome(r.stored.fuzzCase.expected),
    showOutcome(r.ours),
    ...(withTheirs ? [r.theirs ? showOutcome(r.theirs) : r.stored.fuzzCase.cli ? (r.problem ?? '-') : '(in-process only)'] : []),
    r.ok ? 'ok' : 'DIFFERS',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
