// The main job as one run (`seb bench all`): the paper's scenarios, then
// revocation propagation, then the fault matrix, each on its own target
// started for it, all writing into one run folder. The run then writes one
// violations.json (every part's validation, merged, with what each found)
// and one meta.json (the paper's, with the other parts' beside it), so that
// `seb report` on it draws every figure and the paper table. A part that
// finds violations does not stop the others: every part runs, the one report
// is written, and the result names what each part found (`violations`), for
// the command to fail on.
import { join } from 'node:path';
import { ConfigError } from '../../broker/core/errors.js';
import { isJsonObject } from '../../broker/core/strict-json.js';
import { readJsonFile } from '../../broker/files.js';
import { createRunDir, markLatest, writeRunFile, type RunDir } from '../run-dir.js';
import type { LoadedFleetScenario, Profile } from '../scenario/load.js';
import { mergeValidations, violationsJson, type ValidationSummary } from '../validate/run-validation.js';
import { runFaults, type FaultsResult } from './faults.js';
import { runPaper, type PaperResult } from './paper.js';
import { runRevocation, type RevocationResult } from './revocation.js';

export interface AllOptions {
  readonly profile: Profile;
  /** The paper's scenario files. */
  readonly scenarios: readonly string[];
  readonly resultsRoot: string;
  /** The revocation and faults scenarios (scenarios/revocation/, scenarios/faults/), loaded in the profile. */
  readonly revocation: LoadedFleetScenario;
  readonly faults: LoadedFleetScenario;
  /** Brokers sharing the etcd cluster in the revocation part; default its scenario's. */
  readonly brokers?: number;
  /** Stops the run: the part measuring writes what it has, the parts after it do not start. */
  readonly signal?: AbortSignal;
  readonly log: (line: string) => void;
}

export interface AllResult {
  readonly run: RunDir;
  readonly paper: PaperResult;
  /** Absent when the run was stopped before the part. */
  readonly revocation?: RevocationResult;
  readonly faults?: FaultsResult;
  /** Every part's validation, merged. */
  readonly validation: ValidationSummary;
  /** What the parts found, part by part (violationsByPart); absent when none did. */
  readonly violations?: string;
  readonly totalMs: number;
}

export async function runAll(o: AllOptions): Promise<AllResult> {
  const t0 = performance.now();
  const run = createRunDir(o.resultsRoot);
  const quick = o.profile === 'quick';
  // Violations are the run's verdict, given once every part has run: the paper's part reports them instead of throwing.
  const paper = await runPaper({ profile: o.profile, target: { kind: 'local' }, scenarios: o.scenarios, resultsRoot: o.resultsRoot, runId: run.id, onViolations: 'report', log: o.log, ...(o.signal === undefined ? {} : { signal: o.signal }) });
  const stopped = () => o.signal?.aborted === true;
  const revocation = stopped() ? undefined : await runRevocation({ scenario: o.revocation.scenario, scenarioFile: o.revocation.file, quick, ...(o.brokers === undefined ? {} : { brokers: o.brokers }), resultsRoot: o.resultsRoot, run, log: o.log });
  const faults = stopped() ? undefined : await runFaults({ scenario: o.faults.scenario, scenarioFile: o.faults.file, quick, resultsRoot: o.resultsRoot, run, log: o.log });

  const parts: Record<string, ValidationSummary> = {};
  if (paper.report.validation !== undefined) parts['paper'] = paper.report.validation;
  if (revocation !== undefined) parts['revocation'] = revocation.validation;
  if (faults !== undefined) parts['faults'] = faults.validation;
  const validation = mergeValidations(Object.values(parts));
  writeRunFile(run, 'violations.json', violationsJson(validation, parts));
  writeRunFile(run, 'meta.json', `${JSON.stringify(allMeta(run, paperMeta(run), validation, { revocation: revocation?.meta, faults: faults?.meta }), null, 2)}\n`);
  markLatest(o.resultsRoot, run);
  const violations = violationsByPart(parts);
  return { run, paper, ...(revocation === undefined ? {} : { revocation }), ...(faults === undefined ? {} : { faults }), validation, ...(violations === undefined ? {} : { violations }), totalMs: performance.now() - t0 };
}

/** Pure: the parts that found violations, each with its count per type, e.g. `paper: 2 double_execution; faults: 1 missing_outcome`; undefined when none did. */
export function violationsByPart(parts: Readonly<Record<string, Pick<ValidationSummary, 'violations'>>>): string | undefined {
  const found = Object.entries(parts)
    .filter(([, p]) => p.violations.length > 0)
    .map(([name, p]) => {
      const counts = new Map<string, number>();
      for (const v of p.violations) counts.set(v.type, (counts.get(v.type) ?? 0) + 1);
      return `${name}: ${[...counts].map(([type, n]) => `${n} ${type}`).join(', ')}`;
    });
  return found.length === 0 ? undefined : found.join('; ');
}

/** The meta.json the paper's part wrote (its scenarios, target, machine), which the report reads. */
function paperMeta(run: RunDir): Record<string, unknown> {
  const file = join(run.path, 'meta.json');
  const meta = readJsonFile(file, 'meta.json', 16 * 1024 * 1024);
  if (!isJsonObject(meta)) throw new ConfigError(file, 'not a JSON object');
  return meta;
}

/** Pure: the one run's meta.json: the paper's, named `all`, the merged validation, and each fleet part's own meta under its name. */
export function allMeta(
  run: RunDir,
  paper: Readonly<Record<string, unknown>>,
  validation: ValidationSummary,
  parts: Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>>,
): Record<string, unknown> {
  const present = Object.fromEntries(Object.entries(parts).filter(([, m]) => m !== undefined));
  return {
    ...paper,
    run_id: run.id,
    bench: 'all',
    parts: ['paper', ...Object.keys(present)],
    validation: { writes_from_platform_records: validation.writes, allows: validation.allows, violations: validation.violations.length },
    ...present,
  };
}
