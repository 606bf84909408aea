// What a platform itself recorded of the writes made to it, reduced to what
// the validator checks: which certificate each successful executor write
// belongs to, per the platform's records and never per the broker's answer.
// Each platform's reader says what it can count and what it cannot.
import type { PlatformName } from '../../broker/core/certificate/contract.js';

export interface PlatformWrite {
  readonly platform: PlatformName;
  /** The certificate the platform's records tie the write to; null: an executor's write they tie to none. */
  readonly jti: string | null;
  /** What was written, e.g. `seb-prod/configmaps/flags` or `s3://bucket/key`. */
  readonly target: string;
  /** On the run's clock. */
  readonly atMs: number;
  /** How the platform named the writer, or how the write was counted. */
  readonly by: string;
}

/** What one platform's records let the validator count, and what they do not. */
export interface Coverage {
  readonly platform: PlatformName;
  readonly source: string;
  /** The harness's mutation kinds whose executions are counted here, or `*` for all of the platform's. */
  readonly operations: readonly string[];
  readonly counted: readonly string[];
  readonly notCounted: readonly string[];
}

export interface PlatformEvidence {
  readonly writes: readonly PlatformWrite[];
  readonly coverage: readonly Coverage[];
}

export function mergeEvidence(parts: readonly PlatformEvidence[]): PlatformEvidence {
  return { writes: parts.flatMap((p) => p.writes), coverage: parts.flatMap((p) => p.coverage) };
}
