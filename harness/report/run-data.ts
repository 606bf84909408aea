// A run folder as typed rows: every CSV is optional (absent means no figure),
// and each is read in the schema its writer uses (harness/results/*.ts,
// harness/microbench/stats.ts). `run` labels every row, so two runs can share
// one figure.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InvalidInputError, IoError } from '../../broker/core/errors.js';
import { isJsonObject, type JsonObject } from '../../broker/core/strict-json.js';
import { readJsonFile } from '../../broker/files.js';
import { readCsv, type RowOf, type Schema } from '../csv.js';
import { MICROBENCH_CSV } from '../microbench/stats.js';
import { DRIFT_CSV } from '../results/drift.js';
import { REQUESTS_CSV } from '../results/requests.js';
import { SUMMARY_CSV } from '../results/summary.js';
import { SWEEP_CSV } from '../results/sweep.js';
import { CPU_CSV } from '../results/cpu.js';
import { PLATFORM_REQUESTS_CSV } from '../results/platform-requests.js';
import { FAULTS_CSV } from '../results/faults.js';
import { REVOCATION_CSV } from '../results/revocation.js';

/** Each row also says which run it came from. */
export type Labelled<T> = T & { readonly run: string };

export type RequestRow = Labelled<RowOf<typeof REQUESTS_CSV>>;
export type SummaryRow = Labelled<RowOf<typeof SUMMARY_CSV>>;
export type SweepRow = Labelled<RowOf<typeof SWEEP_CSV>>;
export type CpuRow = Labelled<RowOf<typeof CPU_CSV>>;
export type PlatformRequestRow = Labelled<RowOf<typeof PLATFORM_REQUESTS_CSV>>;
export type DriftRow = Labelled<RowOf<typeof DRIFT_CSV>>;
export type RevocationRow = Labelled<RowOf<typeof REVOCATION_CSV>>;
export type FaultRow = Labelled<RowOf<typeof FAULTS_CSV>>;
export type MicrobenchRow = Labelled<RowOf<typeof MICROBENCH_CSV>>;

export interface RunData {
  readonly label: string;
  readonly dir: string;
  readonly meta?: JsonObject;
  readonly requests?: readonly RequestRow[];
  readonly summary?: readonly SummaryRow[];
  readonly sweep?: readonly SweepRow[];
  readonly cpu?: readonly CpuRow[];
  readonly platformRequests?: readonly PlatformRequestRow[];
  readonly drift?: readonly DriftRow[];
  readonly revocation?: readonly RevocationRow[];
  readonly faults?: readonly FaultRow[];
  readonly microbench?: readonly MicrobenchRow[];
}

/** The files the report reads, each optional. */
export const RUN_FILES = ['requests.csv', 'summary.csv', 'sweep.csv', 'cpu.csv', 'platform-requests.csv', 'drift.csv', 'revocation.csv', 'faults.csv', 'microbench.csv', 'meta.json'] as const;

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
  const read = <S extends Schema>(file: string, schema: S): Labelled<RowOf<S>>[] | undefined => {
    const path = join(dir, file);
    if (!existsSync(path)) return undefined;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new IoError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    return readCsv(schema, text, path).map((row) => ({ ...row, run: name }));
  };
  const data: RunData = {
    label: name,
    dir,
    ...(meta === undefined ? {} : { meta }),
    requests: read('requests.csv', REQUESTS_CSV),
    summary: read('summary.csv', SUMMARY_CSV),
    sweep: read('sweep.csv', SWEEP_CSV),
    cpu: read('cpu.csv', CPU_CSV),
    platformRequests: read('platform-requests.csv', PLATFORM_REQUESTS_CSV),
    drift: read('drift.csv', DRIFT_CSV),
    revocation: read('revocation.csv', REVOCATION_CSV),
    faults: read('faults.csv', FAULTS_CSV),
    microbench: read('microbench.csv', MICROBENCH_CSV),
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
