// One request, timed and recorded. The clock covers only the call a caller
// waits for: admission (the SAB signing a certificate) and the drift
// scenario's out-of-band change happen first and are not counted; when either
// fails, the request is not sent and is counted apart (History.notSent). When an
// open loop sends a request later than scheduled, the lateness is counted
// (see load/open-loop.ts).
import type { History, RequestPath, RequestRecord } from '../metrics/history.js';
import { deriveSeed, seededRng } from '../load/rng.js';
import type { Scenario } from '../scenario/schema.js';
import { errorReason, type RequestOutcome, type Workload } from '../workload/workload.js';
import type { LiveStats } from './live-stats.js';
import type { TargetQueue } from './target-queue.js';

export interface WorkloadRun {
  readonly scenario: Scenario;
  /** The target's name for the CSV `target` column. */
  readonly target: string;
  readonly history: History;
  readonly workload: Workload;
  /** Request indices are unique per workload across warm-up, blocks and paths. */
  nextIndex(): number;
  /** One request per target at a time, across the run's blocks (target-queue.ts). */
  readonly targets: TargetQueue;
}

export interface RequestPlan {
  readonly path: RequestPath;
  /** The `scenario` column: the scenario's name, or `<name>@<rate>rps` for a sweep step. */
  readonly label: string;
  /** False during warm-up: the request runs but is not recorded. */
  readonly record: boolean;
  readonly stats: LiveStats;
  /** The records of this block, for the runner's own use (a sweep's saturation check). */
  readonly sink?: RequestRecord[];
}

export interface RequestExtras {
  /** A storm's copy carries an admission made once for all copies. */
  readonly admission?: unknown;
  readonly certificate?: number;
  readonly requestId?: string;
}

export async function runRequest(run: WorkloadRun, plan: RequestPlan, i: number, intendedAt: number, extras: RequestExtras = {}): Promise<void> {
  const { workload: w, scenario } = run;
  const firedAt = performance.now();
  let drifted: boolean | undefined;
  let admission: unknown;
  try {
    admission = plan.path === 'seb' && !('admission' in extras) ? await w.admit(i) : extras.admission;
    if (scenario.drift !== undefined) {
      drifted = seededRng(deriveSeed(scenario.seed, 'drift', w.operation, i))() < scenario.drift.probability;
      if (drifted) await (w.outOfBand as NonNullable<Workload['outOfBand']>)(i);
    }
  } catch (error) {
    // The harness's failure, not the path's: nothing was sent, so no row; meta.json counts these.
    plan.stats.notSent++;
    if (plan.record) run.history.addNotSent({ scenario: plan.label, platform: w.platform, path: plan.path, operation: w.operation, reason: errorReason(error) });
    return;
  }
  const jti = plan.path === 'seb' ? w.certificateId?.(admission) : undefined;
  const callAt = performance.now();
  const outcome: RequestOutcome = await (plan.path === 'seb' ? w.brokered(i, admission) : w.direct(i)).catch((e: unknown) => ({ outcome: 'error' as const, reason: errorReason(e) }));
  const answeredAt = performance.now();
  const latencyMs = answeredAt - callAt + Math.max(0, firedAt - intendedAt);
  plan.stats.add(latencyMs, outcome.outcome === 'executed');
  if (!plan.record) return;
  const record: RequestRecord = {
    scenario: plan.label,
    target: run.target,
    platform: w.platform,
    path: plan.path,
    operation: w.operation,
    request_id: extras.requestId ?? `${plan.path}-${w.operation}-${i}`,
    start_ms: run.history.since(Math.min(intendedAt, firedAt)),
    latency_ms: latencyMs,
    sent_ms: run.history.since(callAt),
    answered_ms: run.history.since(answeredAt),
    outcome: outcome.outcome,
    reason: outcome.reason,
    phases: outcome.phases ?? {},
    ...(drifted === undefined ? {} : { drifted }),
    ...(extras.certificate === undefined ? {} : { certificate: extras.certificate }),
    ...(jti === undefined ? {} : { jti }),
  };
  run.history.addRequest(record);
  plan.sink?.push(record);
}
