// Revocation propagation (issue 5): N brokers on one etcd cluster, each fed
// outstanding certificates (signed before the revocation, sent at a steady
// pace by a few workers per broker) and probed on /v1/verify every few ms;
// at a recorded instant the SAB revokes, either every outstanding
// certificate by jti or by raising the revocation floor above their `rep`
// (a revocation scenario's `revoke` events, scenarios/revocation/).
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
import { toCsv } from '../csv.js';
import { summarize } from '../metrics/histogram.js';
import { gitCommit, machineInfo, writeRunFile, type RunDir } from '../run-dir.js';
import { attemptsFile, finishPart, openPart, workDirName, type PartOutcome } from './part.js';
import { eachLimited } from '../workload/kinds/shared.js';
import { ConfigError } from '../../broker/core/errors.js';
import type { FleetScenario } from '../scenario/fleet-schema.js';
import { collectAndValidate } from './collect.js';
import type { Attempt, Revocation, Violation } from '../validate/violations.js';
import { attemptsCsv } from './attempts-csv.js';
import { startFleet, type Fleet, type FleetBroker } from './fleet.js';
import { fleetLoad, untilHealthy, type Certified, type FleetLoad } from './fleet-load.js';

export const REVOCATION_COLUMNS = ['run_id', 'broker', 'event', 'revoked_at_ms', 'committed_at_ms', 'first_deny_ms', 'propagation_ms', 'from_publish_start_ms', 'accepted_after_revoke'] as const;
export type RevocationRow = Record<(typeof REVOCATION_COLUMNS)[number], string | number | null>;

export interface RevocationOptions {
  /** A revocation scenario (scenarios/revocation/), in the profile to run. */
  readonly scenario: FleetScenario;
  /** Where it was read from, for meta.json. */
  readonly scenarioFile: string;
  readonly quick: boolean;
  /** Brokers sharing the cluster; default the scenario's. */
  readonly brokers?: number;
  readonly resultsRoot: string;
  /** The run folder of `seb bench all`, shared with the other parts; default a folder of its own. */
  readonly run?: RunDir;
  readonly log: (line: string) => void;
}

export interface RevocationResult extends PartOutcome {
  readonly run: RunDir;
  readonly rows: readonly RevocationRow[];
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

/** The scenario's load; its revoke events in order, each as the event the phase publishes. */
function shapeOf(scenario: FleetScenario): { shape: Shape; events: ('jti' | 'floor')[] } {
  const l = scenario.load;
  if (scenario.kind !== 'revocation' || l === undefined) throw new ConfigError(`scenario ${scenario.name}`, 'is not a revocation scenario (kind revocation, with load)');
  const events = scenario.events.map((e) => {
    if (e.kind !== 'revoke') throw new ConfigError(`scenario ${scenario.name}`, `a revocation scenario carries out revoke events only, not ${e.kind}`);
    // outstanding: every outstanding certificate by jti; epoch: the floor raised above their rep.
    return e.scope === 'outstanding' ? ('jti' as const) : ('floor' as const);
  });
  return { shape: { rounds: l.rounds, workers: l.workers, paceMs: l.pace_ms, revokeAfterMs: l.revoke_after_ms, spanMs: l.span_ms }, events };
}

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
    fleet = await startFleet({ workDir, brokers, maxAgeMs, log: o.log });
    const t0 = Date.now();
    const l = (load = await fleetLoad(fleet, slots, t0));
    let base = 0;
    const healthIndex = (b: number) => () => (base += slots) - slots + workerSlots + b;
    for (const [b, broker] of fleet.brokers.entries()) await untilHealthy(l, broker, healthIndex(b), 30_000);
    // The SAB as it starts: its connection open and the floor known before it revokes anything, as a running SAB's are.
    await fleet.publisher.refresh();

    const rows: RevocationRow[] = [];
    const revocations: Revocation[] = [];
    let floor = 0;
    let acceptedInWindow = 0;
    for (let round = 0; round < shape.rounds; round++) {
      for (const event of events) {
        base += slots;
        const phase = await revocationPhase(fleet, l, shape, perWorker, base, floor, event, o.log);
        if (event === 'floor') floor += 1;
        revocations.push(phase.revocation);
        acceptedInWindow += phase.acceptedInWindow;
        for (const r of phase.perBroker) rows.push({ run_id: run.id, event, revoked_at_ms: phase.revocation.atMs, committed_at_ms: phase.committedMs, ...r });
        o.log(`round ${round + 1} ${event}: ${phase.perBroker.map((r) => `${r.broker} ${r.propagation_ms ?? 'no denial'} ms`).join(', ')}`);
      }
    }
    const { violations, summary } = await collectAndValidate(fleet, l, revocations, t0, o.log);
    const propagations = rows.map((r) => r.propagation_ms).filter((p): p is number => typeof p === 'number');
    const s = summarize(propagations, 0, 0);
    const fromStart = summarize(rows.map((r) => r.from_publish_start_ms).filter((p): p is number => typeof p === 'number'), 0, 0);
    o.log(`propagation from the commit (publish returned): p50 ${s.p50_ms} ms, p99 ${s.p99_ms} ms; from the start of the publish: p50 ${fromStart.p50_ms} ms, p99 ${fromStart.p99_ms} ms`);
    writeRunFile(run, 'revocation.csv', toCsv(REVOCATION_COLUMNS, rows));
    writeRunFile(run, attemptsFile(part), attemptsCsv(run.id, l.history));
    // Every *_ms in the part's CSVs and windows counts from this instant; with the run's started_at, the parts line up on one clock.
    const meta = { profile: o.quick ? 'quick' : 'full', scenario: o.scenarioFile, clock_origin: new Date(t0).toISOString(), brokers, shape, events, max_age_ms: maxAgeMs, probe_every_ms: PROBE_EVERY_MS, load: 'execute (configmap-data, outstanding certificates) + /v1/verify probes', commit: gitCommit(), machine: machineInfo(), versions: fleet.info.versions };
    finishPart(part, o.resultsRoot, { validation: summary, meta });
    ok = violations.length === 0 && propagations.length === rows.length;
    return { run, validation: summary, meta, rows, propagation: { p50: s.p50_ms, p99: s.p99_ms, max: s.max_ms, count: propagations.length }, violations, acceptedInWindow, totalMs: performance.now() - t00 };
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
  event: 'jti' | 'floor',
  log: (line: string) => void,
): Promise<PhaseResult> {
  const B = fleet.brokers.length;
  // Outstanding certificates: queue[b][w][k], each for a slot of its own, signed now.
  const indices = Array.from({ length: B * shape.workers * perWorker }, (_, n) => base + n);
  const certs: Certified[] = new Array(indices.length);
  await eachLimited(indices, 8, async (i, n) => void (certs[n] = await load.admit(i, rep)));
  const probes = await Promise.all(fleet.brokers.map((_, b) => load.admit(base + b * shape.workers * perWorker, rep)));
  const queue = (b: number, w: number) => certs.slice((b * shape.workers + w) * perWorker, (b * shape.workers + w + 1) * perWorker);

  const sent = new Set<string>();
  let probing = true;
  const start = load.now();
  const worker = async (broker: FleetBroker, items: Certified[]) => {
    for (const [k, c] of items.entries()) {
      await sleepUntil(load, start + k * shape.paceMs);
      sent.add(c.jti);
      await load.execute(broker, c, 'outstanding');
    }
  };
  // One probe in flight per broker, each sent PROBE_EVERY_MS after the one before it was sent (at once if that one
  // answered later): a slow answer does not also push the next probe a full interval further out.
  const prober = async (broker: FleetBroker, c: Certified) => {
    while (probing) {
      const sentMs = load.now();
      await load.verify(broker, c);
      await sleepUntil(load, sentMs + PROBE_EVERY_MS);
    }
  };
  const probers = fleet.brokers.map((b, n) => prober(b, probes[n] as Certified));
  const workers = fleet.brokers.flatMap((b, n) => Array.from({ length: shape.workers }, (_, w) => worker(b, queue(n, w))));

  await sleepUntil(load, start + shape.revokeAfterMs);
  const atMs = load.now();
  let revocation: Revocation;
  let committedMs: number;
  if (event === 'jti') {
    // Probes first: they go out first, so a broker's first chance to deny is not behind the whole batch.
    const outstanding = [...probes, ...certs.filter((c) => !sent.has(c.jti))].map((c) => c.jti);
    // One transaction, as a SAB revoking a batch would: one raft entry, one watch event per broker.
    await fleet.publisher.revokeAll(outstanding);
    committedMs = load.now();
    log(`published ${outstanding.length} jti revocations in ${committedMs - atMs} ms`);
    revocation = { atMs, boundMs: fleet.maxAgeMs, jtis: new Set(outstanding) };
  } else {
    await fleet.publisher.raiseFloor(rep + 1);
    committedMs = load.now();
    log(`raised the floor to ${rep + 1} in ${committedMs - atMs} ms`);
    revocation = { atMs, boundMs: fleet.maxAgeMs, floor: rep + 1 };
  }
  await Promise.all(workers);
  probing = false;
  await Promise.all(probers);

  const { perBroker, acceptedInWindow } = propagation(load.history, fleet.brokers.map((b) => b.id), revocation, committedMs, start);
  return { revocation, committedMs, perBroker, acceptedInWindow };
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
  history: readonly Attempt[],
  brokers: readonly string[],
  revocation: Revocation,
  committedMs: number,
  sinceMs: number,
): { perBroker: BrokerPropagation[]; acceptedInWindow: number } {
  const { atMs, boundMs } = revocation;
  const revoked = (a: Attempt) => revocation.jtis?.has(a.jti) ?? a.rep < (revocation.floor ?? 0);
  const mine = history.filter((a) => a.sentMs >= sinceMs && revoked(a));
  const executed = mine.filter((a) => a.path === 'execute' && a.outcome === 'executed');
  const acceptedInWindow = executed.filter((a) => a.sentMs >= atMs && a.sentMs < atMs + boundMs).length;
  const perBroker = brokers.map((broker) => {
    const denials = mine.filter((a) => a.broker === broker && a.reason === 'revoked' && a.answeredMs >= atMs).map((a) => a.answeredMs);
    const first = denials.length === 0 ? null : Math.min(...denials);
    return {
      broker,
      first_deny_ms: first,
      propagation_ms: first === null ? null : first - committedMs,
      from_publish_start_ms: first === null ? null : first - atMs,
      accepted_after_revoke: executed.filter((a) => a.broker === broker && a.sentMs >= atMs + boundMs).length,
    };
  });
  return { perBroker, acceptedInWindow };
}

async function sleepUntil(load: FleetLoad, ms: number): Promise<void> {
  const wait = ms - load.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
