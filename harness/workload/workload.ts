// The seam between the runner and what it measures. The runner knows only
// this interface: a workload admits request i (the SAB's side: read the
// state, sign a certificate; not timed), sends it through the broker (timed),
// or does the same mutation directly with a standing credential (timed).
import type { PhaseTimings } from '../../broker/broker.js';
import type { PlatformName } from '../../broker/core/certificate/contract.js';
import type { Outcome } from '../metrics/history.js';
import type { PlatformEvidence } from '../validate/platform-writes.js';
import type { Scenario } from '../scenario/schema.js';
import type { MutationKindName } from './mutation.js';

export interface RequestOutcome {
  readonly outcome: Outcome;
  /** The broker's reason code for a denial; a short message for an error; null when executed. */
  readonly reason: string | null;
  /** Per-phase timings the broker reported, in ms. */
  readonly phases?: PhaseTimings;
  readonly jti?: string | null;
}

/**
 * Admission is split from the brokered call so that certificate issuance
 * (the SAB's work, done before an agent ever calls) is never counted in the
 * broker's latency.
 */
export interface Workload<A = unknown> {
  readonly platform: PlatformName;
  readonly operation: MutationKindName;
  prepare(): Promise<void>;
  admit(i: number): Promise<A>;
  /** The id (jti) of the certificate an admission carries, read from what the SAB signed. */
  certificateId?(admission: A): string;
  brokered(i: number, admission: A): Promise<RequestOutcome>;
  direct(i: number): Promise<RequestOutcome>;
  /** The target request i writes: loops send one request per target at a time (run/target-queue.ts). */
  targetOf?(i: number): string;
  /** Change request i's target behind the broker's back (drift scenarios). */
  outOfBand?(i: number): Promise<void>;
  /** What the platform itself recorded of this workload's executions, read before cleanup removes it; `t0` is the run's start (Unix ms). */
  platformEvidence?(t0: number): Promise<PlatformEvidence>;
  cleanup(): Promise<void>;
}

export interface WorkloadSpec {
  readonly scenario: Scenario;
  readonly platform: PlatformName;
  readonly mutation: MutationKindName;
}

/** Builds the workload for one mutation of one scenario; the runner prepares and cleans it up. */
export type WorkloadFactory = (spec: WorkloadSpec) => Workload | Promise<Workload>;

/** One line, bounded: what goes in requests.csv's reason column for a failure. */
export function errorReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? 'error').slice(0, 200);
}
