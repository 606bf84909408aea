// A run folder as typed rows: every CSV is optional (absent means no figure),
// and each is read against the columns the report needs. `run` labels every
// row, so two runs can share one figure.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PHASES, type Phase } from '../../broker/broker.js';
import { InvalidInputError, IoError } from '../../broker/core/errors.js';
import { isJsonObject, type JsonObject } from '../../broker/core/strict-json.js';
import { readJsonFile } from '../../broker/files.js';
import { readTable, type Row } from './table.js';

const PHASE_KINDS = Object.fromEntries(PHASES.map((p) => [`${p}_ms`, 'number?'])) as Record<`${Phase}_ms`, 'number?'>;

export const REQUESTS = {
  scenario: 'string',
  platform: 'string',
  path: 'string',
  operation: 'string',
  latency_ms: 'number',
  outcome: 'string',
} as const;
/** Per-phase columns may be missing (a run from before a phase existed): that phase then reads as empty. */
export const REQUESTS_OPTIONAL = PHASE_KINDS;

export const SUMMARY = {
  scenario: 'string',
  platform: 'string',
  path: 'string',
  operation: 'string',
  count: 'number',
  errors: 'number',
  p50_ms: 'number',
  p90_ms: 'number',
  p99_ms: 'number',
  max_ms: 'number',
  rate_rps: 'number',
} as const;
export const SUMMARY_OPTIONAL = { offered_rps: 'number?' } as const;

/** sweep.csv (harness/results/sweep.ts): one row per step of a rate sweep and path. */
export const SWEEP = {
  scenario: 'string',
  platform: 'string',
  path: 'string',
  operation: 'string',
  offered_rps: 'number',
  achieved_rps: 'number',
  count: 'number',
  errors: 'number',
  p50_ms: 'number',
  p99_ms: 'number',
  saturated: 'boolean',
} as const;

/** cpu.csv (harness/results/cpu.ts): CPU per scenario, path, operation and process. */
export const CPU = {
  scenario: 'string',
  platform: 'string',
  path: 'string',
  operation: 'string',
  process: 'string',
  mutations: 'number',
  cpu_ms: 'number',
  cpu_ms_per_mutation: 'number?',
} as const;
export const CPU_OPTIONAL = { rss_mib: 'number?' } as const;

export const DRIFT = { trials: 'number', drifted: 'number', detected: 'number', false_positives: 'number', missed: 'number', precondition_caught: 'number' } as const;
export const DRIFT_OPTIONAL = { scenario: 'string?', platform: 'string?', path: 'string?', operation: 'string?' } as const;

export const REVOCATION = {
  run_id: 'string',
  broker: 'string',
  event: 'string',
  revoked_at_ms: 'number',
  first_deny_ms: 'number?',
  propagation_ms: 'number?',
  accepted_after_revoke: 'number',
} as const;

export const FAULTS = {
  run_id: 'string',
  fault: 'string',
  target: 'string',
  phase: 'string?',
  injected_at_ms: 'number?',
  removed_at_ms: 'number?',
  requests: 'number',
  executed: 'number',
  denied: 'number',
  violations: 'number',
  recovery_ms: 'number?',
} as const;

export const MICROBENCH = { name: 'string', threads: 'number', ops_per_s: 'number', mean_us: 'number', p99_us: 'number', samples: 'number' } as const;

/** Each row also says which run it came from. */
export type Labelled<T> = T & { readonly run: string };

export type RequestRow = Labelled<Row<typeof REQUESTS, typeof REQUESTS_OPTIONAL>>;
export type SummaryRow = Labelled<Row<typeof SUMMARY, typeof SUMMARY_OPTIONAL>>;
export type SweepRow = Labelled<Row<typeof SWEEP>>;
export type CpuRow = Labelled<Row<typeof CPU, typeof CPU_OPTIONAL>>;
export type DriftRow = Labelled<Row<typeof DRIFT, typeof DRIFT_OPTIONAL>>;
export type RevocationRow = Labelled<Row<typeof REVOCATION>>;
export type FaultRow = Labelled<Row<typeof FAULTS>>;
export type MicrobenchRow = Labelled<Row<typeof MICROBENCH>>;

export interface RunData {
  readonly label: string;
  readonly dir: string;
  readonly meta?: JsonObject;
  readonly requests?: readonly RequestRow[];
  readonly summary?: readonly SummaryRow[];
  readonly sweep?: readonly SweepRow[];
  readonly cpu?: readonly CpuRow[];
  readonly drift?: readonly DriftRow[];
  readonly revocation?: readonly RevocationRow[];
  readonly faults?: readonly FaultRow[];
  readonly microbench?: readonly MicrobenchRow[];
}

/** The files the report reads, each optional. */
export const RUN_FILES = ['requests.csv', 'summary.csv', 'sweep.csv', 'cpu.csv', 'drift.csv', 'revocation.csv', 'faults.csv', 'microbench.csv', 'meta.json'] as const;

/** Read a run folder; `label` defaults to meta.json's run_id, else the folder's name. */
export function loadRun(dir: string, label?: string): RunData {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new IoError(`no run folder at ${dir}`);
  const metaPath = join(dir, 'meta.json');
  let meta: JsonObject | undefined;
  if (existsSync(metaPath)) {
    const value = readJsonFile(metaPath, 'meta.json', 16 * 1024 * 1024);
    if (!isJsonObject(value)) throw new InvalidInputError(`${metaPath}: expected a JSON object`);
    meta = value;
  }
  const name = label ?? (typeof meta?.run_id === 'string' ? meta.run_id : basename(realpathSync(dir)));
  const read = <T>(file: string, parse: (text: string, path: string) => T[]): Labelled<T>[] | undefined => {
    const path = join(dir, file);
    if (!existsSync(path)) return undefined;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new IoError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    return parse(text, path).map((row) => ({ ...row, run: name }));
  };
  const data: RunData = {
    label: name,
    dir,
    ...(meta === undefined ? {} : { meta }),
    requests: read('requests.csv', (t, p) => readTable(t, p, REQUESTS, REQUESTS_OPTIONAL)),
    summary: read('summary.csv', (t, p) => readTable(t, p, SUMMARY, SUMMARY_OPTIONAL)),
    sweep: read('sweep.csv', (t, p) => readTable(t, p, SWEEP)),
    cpu: read('cpu.csv', (t, p) => readTable(t, p, CPU, CPU_OPTIONAL)),
    drift: read('drift.csv', (t, p) => readTable(t, p, DRIFT, DRIFT_OPTIONAL)),
    revocation: read('revocation.csv', (t, p) => readTable(t, p, REVOCATION)),
    faults: read('faults.csv', (t, p) => readTable(t, p, FAULTS)),
    microbench: read('microbench.csv', (t, p) => readTable(t, p, MICROBENCH)),
  };
  return data;
}

/** Concatenate one kind of rows across runs, in run order; undefined when no run has the file. */
export function rowsOf<K extends Exclude<keyof RunData, 'label' | 'dir' | 'meta'>>(runs: readonly RunData[], kind: K): NonNullable<RunData[K]> | undefined {
  const present = runs.map((r) => r[kind]).filter((rows) => rows !== undefined);
  if (present.length === 0) return undefined;
  return present.flat() as unknown as NonNullable<RunData[K]>;
}

/** The scenarios meta.json lists with `kind: "latency"`; undefined when it does not say (then every scenario counts). */
export function latencyScenariosOf(meta: JsonObject | undefined): Set<string> | undefined {
  const list = meta?.scenarios;
  if (!Array.isArray(list)) return undefined;
  const named = list.filter(isJsonObject).filter((s) => typeof s.name === 'string' && typeof s.kind === 'string');
  if (named.length === 0) return undefined;
  return new Set(named.filter((s) => s.kind === 'latency').map((s) => s.name as string));
}
