// What the progress line shows about the block running now.
import { LatencyHistogram } from '../metrics/histogram.js';

export class LiveStats {
  count = 0;
  errors = 0;
  notSent = 0;
  readonly latency = new LatencyHistogram();
  readonly startedAt: number;

  constructor(readonly label: string, startedAt = performance.now()) {
    this.startedAt = startedAt;
  }

  add(latencyMs: number, executed: boolean): void {
    this.count++;
    if (!executed) this.errors++;
    this.latency.record(latencyMs);
  }

  line(now = performance.now()): string {
    const s = (now - this.startedAt) / 1000;
    const rate = s > 0 ? this.count / s : 0;
    return `${this.label}  ${s.toFixed(1)} s  ${this.count} req  ${rate.toFixed(1)} rps  p50 ${this.latency.percentileMs(50).toFixed(2)} ms  p99 ${this.latency.percentileMs(99).toFixed(2)} ms  not executed ${this.errors}${this.notSent > 0 ? `  not sent ${this.notSent}` : ''}`;
  }
}
