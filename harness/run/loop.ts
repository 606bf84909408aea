// The one run loop every bench goes through: the paper's scenarios
// (runner.ts), revocation propagation and the fault matrix (bench/). One run
// folder, one history and its one start time, the scenarios in order (a
// failure or Ctrl-C stops them; what was measured is kept), then validation
// of the history against the brokers' record logs and the platforms' own
// records (harness/validate), then the run's files, written whatever ended
// it, with violations.json and the validator's line. A failure is rethrown
// after that, and a violation fails the run unless the caller reports it
// instead (a part of `seb bench all`, which fails once every part has run).
import { join } from 'node:path';
import { SebError } from '../../broker/core/errors.js';
import type { History } from '../metrics/history.js';
import { markLatest, writeRunFile, type RunDir } from '../run-dir.js';
import { validateRun, validationLine, violationsJson, type RunValidation, type ValidationSources } from '../validate/run-validation.js';
import { errorReason } from '../workload/workload.js';

/** One scenario of the run: what it measures, recorded in the run's history. */
export interface ScenarioRun {
  readonly name: string;
  run(): Promise<void>;
}

/** How the loop ended, for the run's files. */
export interface LoopEnd {
  readonly aborted: boolean;
  readonly completed: readonly string[];
  readonly failure?: unknown;
  /** Absent when the run was not validated, or validation could not run. */
  readonly validation?: RunValidation;
}

export interface LoopOptions<W> {
  readonly run: RunDir;
  readonly resultsRoot: string;
  readonly history: History;
  /** Where the loop's own lines go (run failed, the validator's line). */
  note(line: string): void;
  /** Abort to stop: the scenario running stops, the rest do not start, the run is written. */
  readonly signal?: AbortSignal;
  /** After the scenarios: what the validator reads besides the history; `startedAtMs` is the history's start (Unix ms). */
  readonly validate?: (startedAtMs: number) => Promise<ValidationSources>;
  /** `report`: violations are returned, not thrown. Default `fail`. */
  readonly onViolations?: 'fail' | 'report';
  /** A part of a run of several: violations.json and results/latest are the whole run's to write. */
  readonly shared?: boolean;
  /** The run's own files, whatever ended it; what it returns comes back with the run. */
  write(end: LoopEnd): W;
}

/** The validator found a section-4 violation: the run fails, after it is written. */
export class ValidationFailedError extends SebError {
  constructor(v: RunValidation, file: string) {
    super('integrity', `${validationLine(v)}: ${[...new Set(v.violations.map((x) => x.type))].join(', ')}; see ${file}`);
  }
}

export async function runLoop<W>(scenarios: readonly ScenarioRun[], o: LoopOptions<W>): Promise<LoopEnd & { readonly written: W }> {
  const completed: string[] = [];
  let failure: unknown;
  try {
    for (const s of scenarios) {
      if (o.signal?.aborted) break;
      await s.run();
      if (!o.signal?.aborted) completed.push(s.name);
    }
  } catch (error) {
    failure = error;
    o.note(`run failed: ${errorReason(error)}; writing what was measured`);
  }
  const aborted = o.signal?.aborted ?? false;
  let validation: RunValidation | undefined;
  if (o.validate !== undefined) {
    try {
      validation = validateRun(await o.validate(o.history.startedAt.getTime()), o.history.requests);
      o.note(validationLine(validation));
    } catch (error) {
      failure ??= error;
      o.note(`validation could not run: ${errorReason(error)}`);
    }
  }
  const end: LoopEnd = { aborted, completed, ...(failure === undefined ? {} : { failure }), ...(validation === undefined ? {} : { validation }) };
  const written = o.write(end);
  if (validation !== undefined) {
    const file = o.shared ? join(o.run.path, 'violations.json') : writeRunFile(o.run, 'violations.json', violationsJson(validation));
    if (validation.violations.length > 0 && o.onViolations !== 'report') failure ??= new ValidationFailedError(validation, file);
  }
  if (!o.shared) markLatest(o.resultsRoot, o.run);
  if (failure !== undefined) throw failure;
  return { ...end, written };
}
