// meta.json: everything a number in this run's CSV files can be traced to:
// the commit, the machine, the versions of what it ran against, each
// scenario file's hash and seed, and whether the run finished.
import { gitCommit, machineInfo } from '../run-dir.js';
import type { LoadedScenario } from '../scenario/load.js';

export interface MetaInput {
  readonly runId: string;
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly aborted: boolean;
  /** The error that ended the run early, when one did. */
  readonly failure?: string;
  readonly scenarios: readonly LoadedScenario[];
  /** Names of the scenarios that ran to the end. */
  readonly completed: readonly string[];
  readonly target?: { readonly name: string; readonly versions?: Readonly<Record<string, string>> };
  readonly brokerUrl?: string;
  readonly results: Readonly<Record<string, unknown>>;
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** The versions every run reports, null when the target did not say. */
export const VERSION_KEYS = ['kube-apiserver', 'etcd', 'moto'] as const;

export function buildMeta(i: MetaInput, environment = { commit: gitCommit(), machine: machineInfo(), node: process.version }): Record<string, unknown> {
  const reported = i.target?.versions ?? {};
  const versions: Record<string, string | null> = { node: environment.node };
  for (const key of VERSION_KEYS) versions[key] = reported[key] ?? null;
  for (const [key, value] of Object.entries(reported)) if (!(key in versions)) versions[key] = value;
  return {
    run_id: i.runId,
    kind: 'scenarios',
    started_at: i.startedAt.toISOString(),
    ended_at: i.endedAt.toISOString(),
    aborted: i.aborted,
    failure: i.failure ?? null,
    profile: i.scenarios[0]?.profile ?? null,
    commit: environment.commit,
    machine: environment.machine,
    versions,
    target: i.target?.name ?? null,
    broker_url: i.brokerUrl ?? null,
    scenarios: i.scenarios.map((s) => ({
      name: s.scenario.name,
      file: s.file,
      sha256: s.sha256,
      profile: s.profile,
      kind: s.scenario.kind,
      target: s.scenario.target,
      seed: s.scenario.seed,
      completed: i.completed.includes(s.scenario.name),
    })),
    seeds: Object.fromEntries(i.scenarios.map((s) => [s.scenario.name, s.scenario.seed])),
    measurement: {
      clock: 'start_ms and at_ms count from the run start (started_at); latency_ms excludes admission (certificate issuance) and the drift mutator',
      open_loop: 'latency counts from the scheduled start, so a late send is in the latency (no coordinated omission)',
      blocks: 'SEB and direct run in alternating blocks (ABBA) in the same process and time window',
      percentiles: 'HDR histogram, 3 significant digits, over every request (denials and errors included)',
    },
    ...i.results,
    ...(i.extra ?? {}),
  };
}
