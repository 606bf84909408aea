// Write a run's history as its result files, all of them every time (a file
// with only its header says there was nothing of that kind), then meta.json.
import { saturationPoint, type SaturationPoint } from '../load/saturation.js';
import type { History } from '../metrics/history.js';
import { writeRunFile, type RunDir } from '../run-dir.js';
import type { RunValidation } from '../validate/run-validation.js';
import type { SaturationCriteria, Scenario } from '../scenario/schema.js';
import { cpuCsv, cpuRows, type CpuRow } from './cpu.js';
import { platformRequestsCsv, platformRequestRows, type PlatformRequestRow } from './platform-requests.js';
import { driftCsv, driftRows, type DriftRow } from './drift.js';
import { eventsCsv } from './events.js';
import { requestsCsv } from './requests.js';
import { stormCsv, stormRows, type StormRow } from './storm.js';
import { groupBy, keyOf, summaryCsv, summaryRows, type SummaryRow } from './summary.js';
import { sweepCsv, sweepRows, type SustainedSweepRow } from './sweep.js';

export const RESULT_FILES = ['requests.csv', 'summary.csv', 'drift.csv', 'sweep.csv', 'storm.csv', 'events.csv', 'cpu.csv', 'platform-requests.csv', 'meta.json'] as const;

export interface SaturationRow extends SaturationPoint {
  readonly scenario: string;
  readonly platform: string;
  readonly path: string;
  readonly operation: string;
}

export interface RunTables {
  readonly summary: SummaryRow[];
  readonly drift: DriftRow[];
  readonly sweep: SustainedSweepRow[];
  readonly saturation: SaturationRow[];
  readonly storm: StormRow[];
  readonly cpu: CpuRow[];
  readonly platformRequests: PlatformRequestRow[];
}

const DEFAULT_CRITERIA: SaturationCriteria = { min_achieved_ratio: 0.9, max_error_ratio: 0.01 };

/** With `validation`, the storm's and drift's executions are what the platforms recorded. */
export function tables(history: History, scenarios: readonly Scenario[], validation?: RunValidation): RunTables {
  const criteria = (name: string) => {
    const load = scenarios.find((s) => s.name === name)?.load;
    return load?.mode === 'open' ? load.saturation : DEFAULT_CRITERIA;
  };
  const sweep = sweepRows(history.requests, history.blocks, criteria);
  const saturation = [...groupBy(sweep, keyOf).values()].map((steps) => {
    const first = steps[0] as SustainedSweepRow;
    return { scenario: first.scenario, platform: first.platform, path: first.path, operation: first.operation, ...saturationPoint(steps) };
  });
  return { summary: summaryRows(history.requests, history.blocks), drift: driftRows(history.requests, validation), sweep, saturation, storm: stormRows(history.requests, validation), cpu: cpuRows(history.cpu), platformRequests: platformRequestRows(history.platformRequests) };
}

export function writeResults(run: RunDir, history: History, t: RunTables, meta: Record<string, unknown>): Record<(typeof RESULT_FILES)[number], string> {
  return {
    'requests.csv': writeRunFile(run, 'requests.csv', requestsCsv(run.id, history.requests)),
    'summary.csv': writeRunFile(run, 'summary.csv', summaryCsv(run.id, t.summary)),
    'drift.csv': writeRunFile(run, 'drift.csv', driftCsv(run.id, t.drift)),
    'sweep.csv': writeRunFile(run, 'sweep.csv', sweepCsv(run.id, t.sweep)),
    'storm.csv': writeRunFile(run, 'storm.csv', stormCsv(run.id, t.storm)),
    'events.csv': writeRunFile(run, 'events.csv', eventsCsv(run.id, history.events)),
    'cpu.csv': writeRunFile(run, 'cpu.csv', cpuCsv(run.id, t.cpu)),
    'platform-requests.csv': writeRunFile(run, 'platform-requests.csv', platformRequestsCsv(run.id, t.platformRequests)),
    'meta.json': writeRunFile(run, 'meta.json', `${JSON.stringify(meta, null, 2)}\n`),
  };
}
