// Denials of requests whose certificate did not verify, counted between two
// writes of a tally record (records/record.ts, TallyRecord). Counting costs
// memory for a handful of reasons, never a signed, fsynced record per request.
import type { TallyInput } from './core/ports/record-log.js';
import type { Reason } from './core/reasons.js';

export class DenialTally {
  private counts = new Map<Reason, number>();
  private from = 0;
  private to = 0;

  count(reason: Reason, nowMs: number): void {
    if (this.counts.size === 0) this.from = nowMs;
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    this.to = Math.max(this.to, nowMs);
  }

  /** What was counted since the last take, and a fresh start; undefined when nothing was. */
  take(): TallyInput | undefined {
    if (this.counts.size === 0) return undefined;
    const tally: TallyInput = { from: this.from, to: Math.max(this.from, this.to), counts: Object.fromEntries(this.counts) };
    this.counts = new Map();
    this.to = 0;
    return tally;
  }

  /** Counts a failed write could not record, back into the next tally. */
  restore(tally: TallyInput): void {
    const from = this.counts.size === 0 ? tally.from : Math.min(this.from, tally.from);
    for (const [reason, n] of Object.entries(tally.counts) as [Reason, number][]) this.counts.set(reason, (this.counts.get(reason) ?? 0) + n);
    this.from = from;
    this.to = Math.max(this.to, tally.to);
  }
}
