// When has a path saturated? Pure: one step of a rate sweep is saturated when
// the rate it achieved falls short of the rate offered, too many requests
// failed, or (if a bound is set) its p99 exceeds the bound.
import type { SaturationCriteria } from '../scenario/schema.js';

export interface StepMeasure {
  readonly offered_rps: number;
  /** Executed requests per second of the step (from its start to its last completion). */
  readonly achieved_rps: number;
  readonly count: number;
  readonly errors: number;
  readonly p99_ms: number;
}

export interface SaturationVerdict {
  readonly saturated: boolean;
  readonly why: string | null;
}

export function isSaturated(step: StepMeasure, criteria: SaturationCriteria): SaturationVerdict {
  if (step.count === 0) return { saturated: true, why: 'no request completed' };
  const ratio = step.offered_rps > 0 ? step.achieved_rps / step.offered_rps : 1;
  if (ratio < criteria.min_achieved_ratio) {
    return { saturated: true, why: `achieved ${fmt(step.achieved_rps)} of ${fmt(step.offered_rps)} rps (${fmt(ratio * 100)}% < ${fmt(criteria.min_achieved_ratio * 100)}%)` };
  }
  const errorRatio = step.errors / step.count;
  if (errorRatio > criteria.max_error_ratio) {
    return { saturated: true, why: `${fmt(errorRatio * 100)}% of requests failed (> ${fmt(criteria.max_error_ratio * 100)}%)` };
  }
  if (criteria.max_p99_ms !== undefined && step.p99_ms > criteria.max_p99_ms) {
    return { saturated: true, why: `p99 ${fmt(step.p99_ms)} ms > ${fmt(criteria.max_p99_ms)} ms` };
  }
  return { saturated: false, why: null };
}

export interface SaturationPoint {
  /** The first offered rate at which the path saturated; null when it never did. */
  readonly saturated_at_rps: number | null;
  /** The highest offered rate below that which it sustained; null when it saturated at the first step. */
  readonly max_sustained_rps: number | null;
}

/** Steps in the order they ran (rising rates). */
export function saturationPoint(steps: readonly { readonly offered_rps: number; readonly saturated: boolean }[]): SaturationPoint {
  let sustained: number | null = null;
  for (const step of steps) {
    if (step.saturated) return { saturated_at_rps: step.offered_rps, max_sustained_rps: sustained };
    sustained = step.offered_rps;
  }
  return { saturated_at_rps: null, max_sustained_rps: sustained };
}

function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}
