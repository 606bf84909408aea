// The fault matrix (issue 5), its steps from a faults scenario
// (scenarios/faults/): the fleet of brokers under a light closed loop of
// executions, one fault at a time (the workloads: harness/workload/fleet/). Each step: health check (every broker
// executes), fault injected at a recorded instant with a certificate storm
// (replays and tampered signatures) running, fault removed at a recorded
// instant, health check until every broker executes again (recovery_ms).
// Afterwards every broker reconciles, and the history, the record logs and
// the live state are checked against docs/design.md section 4; any violation fails
// the run and keeps its artifacts in the run folder.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { killApiserver, type OwningFault } from '../../faults/process.js';
import { faultStep, type Step } from '../../faults/from-event.js';
import { ConfigError } from '../../broker/core/errors.js';
import type { FleetScenario } from '../scenario/fleet-schema.js';
import type { KubeClient } from '../../broker/platforms/kubernetes/client.js';
import { clientFor } from '../workload/kinds/kubernetes-objects.js';
import { gitCommit, machineInfo, writeRunFile, type RunDir } from '../run-dir.js';
import { openPart, workDirName, type PartOptions, type PartOutcome } from './part.js';
import { runFleetPart } from './fleet-part.js';
import type { Revocation, Violation } from '../validate/violations.js';
import { History, type RequestRecord } from '../metrics/history.js';
import { faultsCsv, type FaultsCsvRow } from '../results/faults.js';
import { startFleet, type Fleet } from './fleet.js';
import { fleetLoad, untilHealthy, type FleetLoad } from '../workload/fleet/load.js';
import { startFreshLoop } from '../workload/fleet/fresh-loop.js';
import { startStorm, type Storm } from '../workload/fleet/certificate-storm.js';

export interface FaultsOptions extends PartOptions {
  /** A faults scenario (scenarios/faults/), in the profile to run. */
  readonly scenario: FleetScenario;
}

export interface FaultsResult extends PartOutcome {
  readonly run: RunDir;
  readonly rows: readonly FaultsCsvRow[];
  readonly violations: readonly Violation[];
  readonly windows: readonly StepWindow[];
  readonly totalMs: number;
}

/** One step's instants on the run clock. */
export interface StepWindow {
  readonly fault: string;
  readonly target: string;
  readonly startMs: number;
  readonly injectedMs: number;
  readonly removeStartMs: number;
  readonly removedMs: number;
  readonly endMs: number;
  readonly recoveryMs: number;
  /** The denial reason that shows the fault bit, and how many requests sent during it got it. */
  readonly expected: string | null;
  readonly expectedSeen: number;
}

/** How long a step is held when neither it nor its scenario says: past a 2 s staleness bound, and then some. */
const HOLD_MS = 4000;

/** `seb bench faults`'s scenario, relative to the working directory. */
export const FAULTS_SCENARIO = 'scenarios/faults/matrix.yaml';
const HEALTH_TIMEOUT_MS = 90_000;

function matrix(scenario: FleetScenario, fleet: Fleet, load: FleetLoad, apiserver: OwningFault): Step[] {
  const ctx = { toxiproxy: fleet.toxiproxy, etcdMembers: fleet.etcd.members, brokers: fleet.brokers, apiserver, inFlight: (broker: string) => load.inFlight(broker) };
  return scenario.events.map((e) => {
    if (e.kind !== 'fault') throw new ConfigError(`scenario ${scenario.name}`, `a faults scenario carries out fault events only, not ${e.kind}`);
    return faultStep(e, ctx, scenario.hold_s ?? HOLD_MS / 1000);
  });
}

export async function runFaults(o: FaultsOptions): Promise<FaultsResult> {
  const t00 = performance.now();
  const sc = o.scenario;
  const part = openPart('faults', o.resultsRoot, o.run);
  const { run } = part;
  const workDir = join(run.path, workDirName(part));
  let fleet: Fleet | undefined;
  let load: FleetLoad | undefined;
  let apiserver: OwningFault | undefined;
  let admin: KubeClient | undefined;
  let ok = false;
  try {
    const f = (fleet = await startFleet({ workDir, brokers: sc.brokers, maxAgeMs: sc.max_age_ms, log: o.log }));
    const slots = slotsFor(sc.brokers);
    const l = (load = await fleetLoad(f, slots, new History(), sc.name));
    const indexOf = slotIndices(slots);
    admin = clientFor(f.info.kubernetes!.kubeconfigs.admin);
    const kill = (apiserver = killApiserver({ current: f.target.kubernetes!.processes.apiserver, admin }));

    const windows: StepWindow[] = [];
    const revocations: Revocation[] = [];
    let rows: FaultsCsvRow[] = [];
    const { validation, meta } = await runFleetPart({
      part,
      resultsRoot: o.resultsRoot,
      fleet: f,
      load: l,
      revocations,
      log: o.log,
      measure: async () => {
        for (const step of matrix(sc, f, l, kill)) {
          const w = await runStep(f, l, step, indexOf, slots, o.log);
          windows.push(w);
          if (step.outage) revocations.push({ atMs: w.injectedMs, boundMs: sc.max_age_ms, outageUntilMs: w.removeStartMs });
        }
        o.log('reconciling every broker and validating the history …');
      },
      // A step that could not be injected, removed or recovered: what was measured up to it is kept.
      write: ({ validation: v }) => {
        rows = faultRows(run.id, windows, l.history.requests, v?.violations ?? []);
        writeRunFile(run, 'faults.csv', faultsCsv(rows));
        return { profile: o.quick ? 'quick' : 'full', scenario: o.scenarioFile, brokers: sc.brokers, max_age_ms: sc.max_age_ms, hold_ms: (sc.hold_s ?? HOLD_MS / 1000) * 1000, windows, broker_restarts_ms: Object.fromEntries(f.brokers.map((b) => [b.id, b.restarts])), commit: gitCommit(), machine: machineInfo(), versions: f.info.versions };
      },
    });
    const violations = [...validation.violations];
    ok = violations.length === 0;
    return { run, validation, meta, rows, violations, windows, totalMs: performance.now() - t00 };
  } finally {
    await load?.close().catch(() => undefined);
    await apiserver?.close().catch(() => undefined);
    admin?.close();
    await fleet?.stop();
    if (ok) rmSync(workDir, { recursive: true, force: true });
    else o.log(`kept ${workDir} (logs, record logs, etcd data)`);
  }
}

/** Request indices for one slot: slot, slot + slots, … (each slot written by one writer at a time). */
export type SlotIndices = (slot: number) => () => number;

export function slotIndices(slots: number): SlotIndices {
  const counters = new Array<number>(slots).fill(0);
  return (slot) => () => slot + slots * counters[slot]!++;
}

/** Slots a step needs: a worker and a health slot per broker, one for tampered certificates. */
export const slotsFor = (brokers: number) => 2 * brokers + 1;

/** One fault, bracketed by health checks, with the load and the storm running; the window it took. */
export async function runStep(fleet: Fleet, load: FleetLoad, step: Step, indexOf: SlotIndices, slots: number, log: (line: string) => void): Promise<StepWindow> {
  const { fault } = step;
  const B = fleet.brokers.length;
  const startMs = load.now();
  for (const [b, broker] of fleet.brokers.entries()) await untilHealthy(load, broker, indexOf(B + b), HEALTH_TIMEOUT_MS);

  const fresh = startFreshLoop(load, fleet.brokers, indexOf);
  let storm: Storm | undefined;
  let injectedMs: number, removeStartMs: number, removedMs: number, recoveryMs: number;
  try {
    await new Promise((r) => setTimeout(r, 1000));
    storm = startStorm(load, () => fleet.brokers.filter((b) => b.id !== step.quiet), () => fresh.executed, indexOf(slots - 1), 100);
    const injectStartMs = load.now();
    await recorded(load, injectStartMs, `${fault.name} on ${fault.target}: inject`, () => fault.inject());
    injectedMs = load.now();
    load.history.addEvent({ scenario: load.scenario, at_ms: injectStartMs, kind: 'fault', detail: `${fault.name} on ${fault.target}: injected (took ${injectedMs - injectStartMs} ms)`, outcome: 'ok' });
    await new Promise((r) => setTimeout(r, step.holdMs ?? HOLD_MS));
    await storm.stop();
    storm = undefined;
    removeStartMs = load.now();
    await recorded(load, removeStartMs, `${fault.name} on ${fault.target}: remove`, () => fault.remove());
    removedMs = load.now();
    load.history.addEvent({ scenario: load.scenario, at_ms: removeStartMs, kind: 'fault', detail: `${fault.name} on ${fault.target}: removed (took ${removedMs - removeStartMs} ms)`, outcome: 'ok' });
    const healthy = await Promise.all(fleet.brokers.map((b, n) => untilHealthy(load, b, indexOf(B + n), HEALTH_TIMEOUT_MS)));
    recoveryMs = Math.max(...healthy) - removedMs;
  } finally {
    // Whatever ended the step, its load stops before anything else runs (the next step, or the validation).
    await Promise.all([fresh.stop(), storm?.stop()]);
  }
  const endMs = load.now();
  const seen = step.expect === undefined ? 0 : load.history.requests.filter((a) => a.reason === step.expect && a.sent_ms >= injectedMs && a.sent_ms < removedMs).length;
  log(
    `${fault.name} on ${fault.target}: injected at ${injectedMs} ms, removed at ${removedMs} ms (removal took ${removedMs - removeStartMs} ms), recovered in ${recoveryMs} ms` +
      (step.expect === undefined ? '' : `; ${step.expect} denials: ${seen}`),
  );
  return { fault: fault.name, target: fault.target, startMs, injectedMs, removeStartMs, removedMs, endMs, recoveryMs, expected: step.expect ?? null, expectedSeen: seen };
}

/** A fault's inject or remove; one that fails is recorded as an error event, then fails the run (never just a row). */
export async function recorded(load: Pick<FleetLoad, 'history' | 'scenario'>, atMs: number, what: string, act: () => Promise<void>): Promise<void> {
  try {
    await act();
  } catch (error) {
    load.history.addEvent({ scenario: load.scenario, at_ms: atMs, kind: 'fault', detail: `${what} failed: ${(error as Error).message}`.slice(0, 300), outcome: 'error' });
    throw error;
  }
}

/** Pure: per step, a row for each phase (before, during, after), counting execute attempts by send instant. */
export function faultRows(runId: string, windows: readonly StepWindow[], history: readonly RequestRecord[], violations: readonly Violation[]): FaultsCsvRow[] {
  const rows: FaultsCsvRow[] = [];
  const executes = history.filter((a) => a.attempt !== 'probe');
  for (const w of windows) {
    const phases: [string, number, number][] = [
      ['before', w.startMs, w.injectedMs],
      ['during', w.injectedMs, w.removedMs],
      ['after', w.removedMs, w.endMs],
    ];
    for (const [phase, from, to] of phases) {
      const sent = executes.filter((a) => a.sent_ms >= from && a.sent_ms < to);
      rows.push({
        run_id: runId,
        fault: w.fault,
        target: w.target,
        phase,
        injected_at_ms: w.injectedMs,
        removed_at_ms: w.removedMs,
        requests: sent.length,
        executed: sent.filter((a) => a.outcome === 'executed').length,
        denied: sent.filter((a) => a.outcome === 'denied').length,
        violations: violations.filter((v) => v.atMs >= from && v.atMs < to).length,
        recovery_ms: w.recoveryMs,
      });
    }
  }
  // The total row also counts violations outside every step (found only in the live state).
  rows.push({ run_id: runId, fault: 'matrix', target: 'all', phase: 'total', injected_at_ms: null, removed_at_ms: null, requests: executes.length, executed: executes.filter((a) => a.outcome === 'executed').length, denied: executes.filter((a) => a.outcome === 'denied').length, violations: violations.length, recovery_ms: null });
  return rows;
}
