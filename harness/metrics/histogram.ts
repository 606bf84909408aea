// Latency percentiles from HDR histograms (hdr-histogram-js): values are
// recorded in microseconds with 3 significant digits, reported in
// milliseconds. A percentile is HDR's: the highest value equivalent to the
// recorded one at that rank, so it can exceed the exact sample by < 0.1%;
// it is capped at the maximum, which HDR keeps exact.
import { build, type Histogram } from 'hdr-histogram-js';

const HIGHEST_US = 3_600_000_000; // one hour

export class LatencyHistogram {
  private readonly h: Histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, autoResize: false, bitBucketSize: 32 });

  record(ms: number): void {
    if (!Number.isFinite(ms)) return;
    this.h.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000))));
  }

  get count(): number {
    return this.h.totalCount;
  }

  /** p in [0, 100]; 0 when nothing was recorded. */
  percentileMs(p: number): number {
    return this.h.totalCount === 0 ? 0 : Math.min(this.h.getValueAtPercentile(p), this.h.maxValue) / 1000;
  }

  get maxMs(): number {
    return this.h.totalCount === 0 ? 0 : this.h.maxValue / 1000;
  }

  reset(): void {
    this.h.reset();
  }
}

export interface LatencySummary {
  readonly count: number;
  readonly errors: number;
  readonly p50_ms: number;
  readonly p90_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  readonly rate_rps: number;
}

/**
 * The one place the numbers of a summary row are computed. `latenciesMs` are
 * every request's latency (errors included: a timeout belongs in the tail);
 * `errors` counts requests that did not execute; `activeMs` is the time the
 * requests were being issued, so rate is requests per second of that time.
 */
export function summarize(latenciesMs: readonly number[], errors: number, activeMs: number): LatencySummary {
  const h = new LatencyHistogram();
  for (const ms of latenciesMs) h.record(ms);
  return {
    count: latenciesMs.length,
    errors,
    p50_ms: round3(h.percentileMs(50)),
    p90_ms: round3(h.percentileMs(90)),
    p99_ms: round3(h.percentileMs(99)),
    max_ms: round3(h.maxMs),
    rate_rps: activeMs > 0 ? round3((latenciesMs.length * 1000) / activeMs) : 0,
  };
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
