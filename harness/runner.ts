// Run the paper's scenarios against workloads and write results/<run-id>/,
// through the one run loop (run/loop.ts). For each scenario, each of its
// mutations gets a workload (prepared, measured, cleaned up); the scenario's
// kind picks how it is measured. Whatever ends the run (the last scenario,
// Ctrl-C through the signal, a failure), what was measured is written and
// results/latest points at it; a failure is rethrown after that. With
// `validate`, the run is then checked against what the brokers recorded and
// what the platforms recorded (harness/validate): violations.json, one
// summary line, and a failure on any violation.
import { ConfigError } from '../broker/core/errors.js';
import type { WatchedProcess } from './metrics/cpu.js';
import type { RequestCounter } from './metrics/platform-requests.js';
import { History } from './metrics/history.js';
import { buildMeta } from './results/meta.js';
import { groupBy, keyOf } from './results/summary.js';
import { RESULT_FILES, tables, writeResults, type RunTables } from './results/write.js';
import { createRunDir, type RunDir } from './run-dir.js';
import { mergeEvidence, type PlatformEvidence } from './validate/platform-writes.js';
import type { RunValidation, ValidationSources } from './validate/run-validation.js';
import type { BlockEnv } from './run/block.js';
import { checkEvents, scheduleEvents, type EventHandler } from './run/events.js';
import { runLoop } from './run/loop.js';
import { runMeasured } from './run/measured.js';
import { Progress, type ProgressSink } from './run/progress.js';
import type { WorkloadRun } from './run/request.js';
import { runStorm } from './run/storm.js';
import { runSweep } from './run/sweep.js';
import type { LoadedScenario } from './scenario/load.js';
import type { Scenario } from './scenario/schema.js';
import { platformOfMutation } from './workload/mutation.js';
import { errorReason, type Workload, type WorkloadFactory } from './workload/workload.js';
import { TargetQueue } from './run/target-queue.js';

export interface RunOptions {
  readonly resultsRoot: string;
  readonly workloads: WorkloadFactory;
  /** Abort to stop (Ctrl-C): requests in flight get graceMs, then the results are written. */
  readonly signal?: AbortSignal;
  /** Needed when a scenario has events. */
  readonly events?: EventHandler;
  /** What was measured: the name goes in the CSV `target` column, versions into meta.json. */
  readonly target?: { readonly name: string; readonly versions?: Readonly<Record<string, string>> };
  readonly brokerUrl?: string;
  /** Progress lines; null for none. Default: stderr. */
  readonly progress?: ProgressSink | null;
  readonly graceMs?: number;
  /** Processes whose CPU and memory each measured block records (cpu.csv). */
  readonly processes?: readonly WatchedProcess[];
  /** The platforms' own request counters, one per platform at most (platform-requests.csv). */
  readonly requestCounters?: readonly RequestCounter[];
  readonly runId?: string;
  readonly meta?: Readonly<Record<string, unknown>>;
  /**
   * After the scenarios: every broker's record log (after recovery) and the
   * platforms' own records, for harness/validate. The run then writes
   * violations.json, prints the validation line, and fails on any violation.
   * `startedAtMs` is the run's start (Unix ms), the clock of every record.
   */
  readonly validate?: (startedAtMs: number) => Promise<ValidationSources>;
  /**
   * What a violation does: `fail` (the default) fails the run after it is
   * written; `report` leaves it in the report and violations.json, for a
   * caller that runs more parts and fails once all have run (`seb bench all`).
   */
  readonly onViolations?: 'fail' | 'report';
}

export interface RunReport extends RunTables {
  readonly run: RunDir;
  readonly files: Readonly<Record<(typeof RESULT_FILES)[number], string>>;
  readonly aborted: boolean;
  readonly completed: readonly string[];
  /** Certificates that executed more than once in a replay storm: must be 0. */
  readonly stormViolations: number;
  /** Absent when the run was not given `validate`. */
  readonly validation?: RunValidation;
}

export async function runScenarios(loaded: readonly LoadedScenario[], o: RunOptions): Promise<RunReport> {
  for (const { scenario, file } of loaded) checkEvents(scenario, file, o.events);
  const names = loaded.map((l) => l.scenario.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new ConfigError('scenarios', `scenario ${twice} is given twice`);

  const progress = new Progress(o.progress === undefined ? process.stderr : o.progress);
  const run = createRunDir(o.resultsRoot, o.runId);
  const history = new History();
  const evidence: PlatformEvidence[] = [];
  const env: ScenarioEnv = { progress, signal: o.signal, graceMs: o.graceMs ?? 5000, evidence, ...(o.processes === undefined ? {} : { processes: o.processes }), ...(o.requestCounters === undefined ? {} : { requestCounters: o.requestCounters }) };
  progress.note(`run ${run.id}: ${loaded.length} scenario(s), results in ${run.path}`);
  const scenarios = loaded.map(({ scenario }) => ({
    name: scenario.name,
    run: () => {
      progress.note(`scenario ${scenario.name} (${scenario.kind}, seed ${scenario.seed})`);
      return runScenario(scenario, history, o, env);
    },
  }));
  const given = o.validate;
  // The workloads' own platform records (read before each cleanup) join what the caller reads.
  const validate =
    given === undefined
      ? undefined
      : async (t0: number): Promise<ValidationSources> => {
          const sources = await given(t0);
          return { ...sources, evidence: mergeEvidence([sources.evidence, ...evidence]) };
        };
  const end = await runLoop(scenarios, {
    run,
    resultsRoot: o.resultsRoot,
    history,
    note: (line) => progress.note(line),
    ...(o.signal === undefined ? {} : { signal: o.signal }),
    ...(o.onViolations === undefined ? {} : { onViolations: o.onViolations }),
    ...(validate === undefined ? {} : { validate }),
    write: ({ aborted, completed, failure, validation }) => {
      const t = tables(history, loaded.map((l) => l.scenario), validation);
      const stormViolations = t.storm.reduce((n, r) => n + r.executed_more, 0);
      const meta = buildMeta({
        runId: run.id,
        startedAt: history.startedAt,
        endedAt: new Date(),
        aborted,
        ...(failure === undefined ? {} : { failure: errorReason(failure) }),
        scenarios: loaded,
        completed,
        ...(o.target === undefined ? {} : { target: o.target }),
        ...(o.brokerUrl === undefined ? {} : { brokerUrl: o.brokerUrl }),
        results: {
          requests: history.requests.length,
          not_sent: notSentSummary(history),
          saturation: t.saturation,
          storm_violations: stormViolations,
          processes: o.processes?.map((p) => ({ name: p.name, pid: p.pid, platform: p.platform ?? null })) ?? [],
          rss_mib_max: maxRss(t),
          ...(validation === undefined ? {} : { validation: { writes_from_platform_records: validation.writes, allows: validation.allows, violations: validation.violations.length } }),
        },
        ...(o.meta === undefined ? {} : { extra: o.meta }),
      });
      const files = writeResults(run, history, t, meta);
      progress.note(`${aborted ? 'stopped; kept' : 'wrote'} ${history.requests.length} requests in ${run.path}`);
      return { t, files, stormViolations };
    },
  });
  const { t, files, stormViolations } = end.written;
  return { run, files, aborted: end.aborted, completed: end.completed, stormViolations, ...(end.validation === undefined ? {} : { validation: end.validation }), ...t };
}

/** Per process, the largest resident set seen at the end of a measured block (the sweeps' saturating steps included). */
function maxRss(t: RunTables): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of t.cpu) out[r.process] = Math.max(out[r.process] ?? 0, r.rss_mib);
  return out;
}

/** Requests the harness could not send, per scenario, path and operation, with the first reason. */
function notSentSummary(history: History): { scenario: string; platform: string; path: string; operation: string; count: number; first_reason: string }[] {
  return [...groupBy(history.notSent, keyOf).values()].map((group) => {
    const first = group[0] as (typeof group)[number];
    return { scenario: first.scenario, platform: first.platform, path: first.path, operation: first.operation, count: group.length, first_reason: first.reason };
  });
}

/** The block environment, plus where workloads leave the platform's records before their cleanup removes them. */
interface ScenarioEnv extends BlockEnv {
  readonly evidence: PlatformEvidence[];
}

async function runScenario(scenario: Scenario, history: History, o: RunOptions, env: ScenarioEnv): Promise<void> {
  const events = scheduleEvents(scenario, history, o.events, o.signal ?? new AbortController().signal);
  try {
    await runWorkloads(scenario, history, o, env);
  } catch (error) {
    // The workload's failure is the one to report; the events are still stopped and recorded.
    await events.stop().catch(() => undefined);
    throw error;
  }
  await events.stop();
}

async function runWorkloads(scenario: Scenario, history: History, o: RunOptions, env: ScenarioEnv): Promise<void> {
  for (const platform of scenario.platforms) {
    for (const mutation of scenario.mutations.filter((m) => platformOfMutation(m) === platform)) {
      if (o.signal?.aborted) return;
      const workload = await o.workloads({ scenario, platform, mutation });
      if (scenario.drift !== undefined && workload.outOfBand === undefined) {
        throw new ConfigError(`mutation ${mutation}`, `scenario ${scenario.name} measures drift, and this workload has no out-of-band mutator`);
      }
      await withWorkload(workload, env, async () => {
        let next = 0;
        const run: WorkloadRun = { scenario, target: o.target?.name ?? scenario.target, history, workload, nextIndex: () => next++, targets: new TargetQueue() };
        if (scenario.kind === 'replay-storm') await runStorm(run, env);
        else if (scenario.load?.mode === 'open' && scenario.load.rates_rps !== undefined) await runSweep(run, env);
        else await runMeasured(run, env);
        if (o.validate !== undefined && workload.platformEvidence !== undefined) env.evidence.push(await workload.platformEvidence(history.startedAt.getTime()));
      });
    }
  }
}

/** Prepare, run, and always clean up (a half-done prepare too); a cleanup failure after a good run is the run's failure. */
async function withWorkload(w: Workload, env: BlockEnv, body: () => Promise<void>): Promise<void> {
  let ok = false;
  try {
    await w.prepare();
    await body();
    ok = true;
  } finally {
    try {
      await w.cleanup();
    } catch (error) {
      env.progress.note(`cleanup of ${w.platform}/${w.operation} failed: ${errorReason(error)}`);
      if (ok) throw error;
    }
  }
}
