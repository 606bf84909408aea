// Revocation propagation (issue 5): N brokers on one etcd cluster, each fed
// outstanding certificates (signed before the revocation, sent at a steady
// pace by a few workers per broker) and probed on /v1/verify every few ms;
// at a recorded instant the SAB revokes, either every outstanding
// certificate by jti or by raising the revocation floor above their `rep`
// (a revocation scenario's `revoke` events, scenarios/revocation/, carried
// out by faults/revoke.ts; the workloads: harness/workload/fleet/). Each
// revocation is bracketed by health checks (every broker executes a fresh
// certificate at the floor in force) and recorded in the run's history
// against its one start time.
// Per broker and event: the first denial `revoked` (its answer instant, an
// upper bound on when the broker learned), and the executions of revoked
// certificates sent after the staleness bound, which must be zero.
// Propagation counts from the instant the publish returned: etcd has then
// committed the revocation (durable on a quorum), which is when a SAB
// operator is told "revoked"; before it the revocation may not exist yet, so
// time spent writing it is the SAB's latency, not the brokers'. It is an
// upper bound on the commit instant, so a broker that denies before the
// acknowledgement reaches the SAB shows a small negative figure.
// from_publish_start_ms keeps the time from the start of the publish too,
// and the staleness bound counts from that earlier instant (the stricter one). The
// history and the record logs are then checked against docs/design.md section 4.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { summarize } from '../metrics/histogram.js';
import { gitCommit, machineInfo, writeRunFile, type RunDir } from '../run-dir.js';
import { openPart, workDirName, type PartOptions, type PartOutcome } from './part.js';
import { runFleetPart } from './fleet-part.js';
import { ConfigError } from '../../broker/core/errors.js';
import type { FleetScenario } from '../scenario/fleet-schema.js';
import { isRevoked, type Revocation, type Violation } from '../validate/violations.js';
import { History, type RequestRecord } from '../metrics/history.js';
import { revocationCsv, type RevocationCsvRow } from '../results/revocation.js';
import { startFleet, type Fleet } from './fleet.js';
import { fleetLoad, untilHealthy, type FleetLoad } from '../workload/fleet/load.js';
import { admitOutstanding, firstIndexOf } from '../workload/fleet/outstanding.js';
import { startProbes } from '../workload/fleet/probes.js';
import { sleepUntil } from '../workload/fleet/pace.js';
import { revoke, type Revoked, type RevokeEvent } from '../../faults/revoke.js';

export interface RevocationOptions extends PartOptions {
  /** A revocation scenario (scenarios/revocation/), in the profile to run. */
  readonly scenario: FleetScenario;
  /** Brokers sharing the cluster; default the scenario's. */
  readonly brokers?: number;
}

export interface RevocationResult extends PartOutcome {
  readonly run: RunDir;
  readonly rows: readonly RevocationCsvRow[];
  readonly propagation: { readonly p50: number; readonly p99: number; readonly max: number; readonly count: number };
  readonly violations: readonly Violation[];
  /** Executions of revoked certificates sent between the revocation and its bound (allowed; for the record). */
  readonly acceptedInWindow: number;
  readonly totalMs: number;
}

const PROBE_EVERY_MS = 5;

/** `seb bench revocation`'s scenario, relative to the working directory. */
export const REVOCATION_SCENARIO = 'scenarios/revocation/propagation.yaml';

interface Shape {
  readonly rounds: number;
  readonly workers: number;
  readonly paceMs: number;
  /** When, after the first outstanding request, the revocation is published. */
  readonly revokeAfterMs: number;
  /** How long outstanding requests keep coming: well past revocation + bound. */
  readonly spanMs: number;
}

/** The scenario's load and its revoke events, in order. */
function shapeOf(scenario: FleetScenario): { shape: Shape; events: RevokeEvent[] } {
  const l = scenario.load;
  if (scenario.kind !== 'revocation' || l === undefined) throw new ConfigError(`scenario ${scenario.name}`, 'is not a revocation scenario (kind revocation, with load)');
  const events = scenario.events.map((e) => {
    if (e.kind !== 'revoke') throw new ConfigError(`scenario ${scenario.name}`, `a revocation scenario carries out revoke events only, not ${e.kind}`);
    return e;
  });
  return { shape: { rounds: l.rounds, workers: l.workers, paceMs: l.pace_ms, revokeAfterMs: l.revoke_after_ms, spanMs: l.span_ms }, events };
}

/** revocation.csv's `event`: `jti` (scope outstanding: every outstanding certificate by jti) or `floor` (scope epoch: the floor raised above their rep). */
const eventLabel = (e: RevokeEvent): 'jti' | 'floor' => (e.scope === 'outstanding' ? 'jti' : 'floor');

export async function runRevocation(o: RevocationOptions): Promise<RevocationResult> {
  const t00 = performance.now();
  const { shape, events } = shapeOf(o.scenario);
  const maxAgeMs = o.scenario.max_age_ms;
  const brokers = o.brokers ?? o.scenario.brokers;
  const perWorker = Math.ceil(shape.spanMs / shape.paceMs);
  const workerSlots = brokers * shape.workers * perWorker;
  const slots = workerSlots + brokers;
  const part = openPart('revocation', o.resultsRoot, o.run);
  const { run } = part;
  const workDir = join(run.path, workDirName(part));
  let fleet: Fleet | undefined;
  let load: FleetLoad | undefined;
  let ok = false;
  try {
    const f = (fleet = await startFleet({ workDir, brokers, maxAgeMs, log: o.log }));
    const l = (load = await fleetLoad(f, slots, new History(), o.scenario.name));
    let base = 0;
    const healthIndex = (b: number) => () => (base += slots) - slots + workerSlots + b;
    // The bracket: every broker executes a fresh certificate at the floor in force (before the first revocation, and after each).
    const healthy = async (rep: number) => {
      for (const [b, broker] of f.brokers.entries()) await untilHealthy(l, broker, healthIndex(b), 30_000, rep);
    };
    // The SAB as it starts: its connection open and the floor known before it revokes anything, as a running SAB's are.
    await f.publisher.refresh();
    const rows: RevocationCsvRow[] = [];
    const revocations: Revocation[] = [];
    let acceptedInWindow = 0;
    const measure = async () => {
      await healthy(0);
      let floor = 0;
      for (let round = 0; round < shape.rounds; round++) {
        for (const event of events) {
          base += slots;
          const phase = await revocationPhase(f, l, shape, perWorker, base, floor, event, o.log);
          floor = phase.floor;
          revocations.push(phase.revocation);
          await healthy(floor);
          acceptedInWindow += phase.acceptedInWindow;
          for (const r of phase.perBroker) rows.push({ run_id: run.id, event: eventLabel(event), revoked_at_ms: phase.revocation.atMs, committed_at_ms: phase.committedMs, ...r });
          o.log(`round ${round + 1} ${eventLabel(event)}: ${phase.perBroker.map((r) => `${r.broker} ${r.propagation_ms ?? 'no denial'} ms`).join(', ')}`);
        }
      }
    };
    const { validation, meta } = await runFleetPart({
      part,
      resultsRoot: o.resultsRoot,
      fleet: f,
      load: l,
      revocations,
      log: o.log,
      measure,
      write: () => {
        writeRunFile(run, 'revocation.csv', revocationCsv(rows));
        return { profile: o.quick ? 'quick' : 'full', scenario: o.scenarioFile, brokers, shape, events: events.map(eventLabel), max_age_ms: maxAgeMs, probe_every_ms: PROBE_EVERY_MS, load: 'execute (configmap-data, outstanding certificates) + /v1/verify probes', commit: gitCommit(), machine: machineInfo(), versions: f.info.versions };
      },
    });
    const propagations = rows.map((r) => r.propagation_ms).filter((p): p is number => typeof p === 'number');
    const s = summarize(propagations, 0, 0);
    const violations = [...validation.violations];
    const fromStart = summarize(rows.map((r) => r.from_publish_start_ms).filter((p): p is number => typeof p === 'number'), 0, 0);
    o.log(`propagation from the commit (publish returned): p50 ${s.p50_ms} ms, p99 ${s.p99_ms} ms; from the start of the publish: p50 ${fromStart.p50_ms} ms, p99 ${fromStart.p99_ms} ms`);
    ok = violations.length === 0 && propagations.length === rows.length;
    return { run, validation, meta, rows, propagation: { p50: s.p50_ms, p99: s.p99_ms, max: s.max_ms, count: propagations.length }, violations, acceptedInWindow, totalMs: performance.now() - t00 };
  } finally {
    await load?.close().catch(() => undefined);
    await fleet?.stop();
    // Artifacts (logs, record logs, etcd data) stay in the run folder unless everything held.
    if (ok) rmSync(workDir, { recursive: true, force: true });
    else o.log(`kept ${workDir} (logs, record logs)`);
  }
}

interface PhaseResult {
  readonly revocation: Revocation;
  /** The floor in force after the phase. */
  readonly floor: number;
  /** When the publish returned: the revocation committed in etcd. */
  readonly committedMs: number;
  readonly perBroker: readonly BrokerPropagation[];
  readonly acceptedInWindow: number;
}

async function revocationPhase(
  fleet: Fleet,
  load: FleetLoad,
  shape: Shape,
  perWorker: number,
  base: number,
  rep: number,
  event: RevokeEvent,
  log: (line: string) => void,
): Promise<PhaseResult> {
  const queues = { workers: shape.workers, paceMs: shape.paceMs, perWorker };
  const outstanding = await admitOutstanding(load, fleet.brokers, queues, base, rep);
  const probeCerts = await Promise.all(fleet.brokers.map((_, b) => load.admit(firstIndexOf(queues, base, b), rep)));
  const start = load.now();
  const probes = startProbes(load, fleet.brokers, probeCerts, PROBE_EVERY_MS);
  const sending = outstanding.send(start);

  let revoked: Revoked;
  try {
    await sleepUntil(load, start + shape.revokeAfterMs);
    revoked = await revoke(event, {
      source: fleet.publisher,
      // Probes first: they go out first, so a broker's first chance to deny is not behind the whole batch.
      outstanding: () => [...probeCerts.map((c) => c.jti), ...outstanding.unsent()],
      floor: rep,
      boundMs: fleet.maxAgeMs,
      now: () => load.now(),
    }).catch((error: unknown) => {
      // Recorded, then the run fails on it: an event that could not be carried out is never just a row.
      load.history.addEvent({ scenario: load.scenario, at_ms: load.now(), kind: 'revoke', detail: (error as Error).message.slice(0, 300), outcome: 'error' });
      throw error;
    });
    load.history.addEvent({ scenario: load.scenario, at_ms: revoked.revocation.atMs, kind: 'revoke', detail: revoked.detail, outcome: 'ok' });
    log(revoked.detail);
    await sending;
  } finally {
    // Whatever ended the phase, its load stops before anything else runs.
    await Promise.allSettled([sending, probes.stop()]);
  }
  const { revocation } = revoked;

  const { perBroker, acceptedInWindow } = propagation(load.history.requests, fleet.brokers.map((b) => b.id), revocation, revoked.publishedMs, start);
  return { revocation, floor: revoked.floor, committedMs: revoked.publishedMs, perBroker, acceptedInWindow };
}

export interface BrokerPropagation {
  broker: string;
  first_deny_ms: number | null;
  propagation_ms: number | null;
  from_publish_start_ms: number | null;
  accepted_after_revoke: number;
}

/**
 * Pure: per broker, the first `revoked` denial answered after the revocation
 * was sent (an upper bound on when it learned), timed from its commit
 * (`committedMs`) and from the start of the publish (`revocation.atMs`), and
 * the executions of revoked certificates sent after the bound; across
 * brokers, those sent within it.
 */
export function propagation(
  history: readonly RequestRecord[],
  brokers: readonly string[],
  revocation: Revocation,
  committedMs: number,
  sinceMs: number,
): { perBroker: BrokerPropagation[]; acceptedInWindow: number } {
  const { atMs, boundMs } = revocation;
  const mine = history.filter((a) => a.sent_ms >= sinceMs && isRevoked(a, revocation));
  // A /v1/verify probe's allow is `passed`: only executions count.
  const executed = mine.filter((a) => a.outcome === 'executed');
  const acceptedInWindow = executed.filter((a) => a.sent_ms >= atMs && a.sent_ms < atMs + boundMs).length;
  const perBroker = brokers.map((broker) => {
    const denials = mine.filter((a) => a.broker === broker && a.reason === 'revoked' && a.answered_ms >= atMs).map((a) => a.answered_ms);
    const first = denials.length === 0 ? null : Math.min(...denials);
    return {
      broker,
      first_deny_ms: first,
      propagation_ms: first === null ? null : first - committedMs,
      from_publish_start_ms: first === null ? null : first - atMs,
      accepted_after_revoke: executed.filter((a) => a.broker === broker && a.sent_ms >= atMs + boundMs).length,
    };
  });
  return { perBroker, acceptedInWindow };
}
