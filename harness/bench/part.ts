// A fleet bench (revocation, faults) runs alone, in a run folder of its own,
// or as a part of `seb bench all`, in the one run's folder. Alone, it writes
// its violations.json and meta.json and points results/latest at its folder
// (fleet-part.ts, through the run loop); as a part, it hands both to the run,
// which writes one of each for all parts. Its CSVs go beside the others'
// under names of their own.
import type { History } from '../metrics/history.js';
import { attemptsCsv } from '../results/attempts.js';
import { eventsCsv } from '../results/events.js';
import { createRunDir, writeRunFile, type RunDir } from '../run-dir.js';
import type { ValidationSummary } from '../validate/run-validation.js';

export type PartName = 'revocation' | 'faults';

export interface RunPart {
  readonly name: PartName;
  readonly run: RunDir;
  /** Whether the run folder is shared with other parts (`seb bench all`). */
  readonly shared: boolean;
}

/** Where a part writes: `shared` (the one run's folder) or a new folder under `resultsRoot`. */
export function openPart(name: PartName, resultsRoot: string, shared: RunDir | undefined): RunPart {
  return shared === undefined ? { name, run: createRunDir(resultsRoot), shared: false } : { name, run: shared, shared: true };
}

/** A part's file: `attempts.csv` alone; `revocation-attempts.csv` or `faults-attempts.csv` in a shared folder. */
export function partFile(part: RunPart, name: 'attempts.csv' | 'events.csv'): string {
  return part.shared ? `${part.name}-${name}` : name;
}

/** The part's history: its requests (attempts.csv) and its events (events.csv: revocations, faults injected and removed). */
export function writePartHistory(part: RunPart, history: History): void {
  writeRunFile(part.run, partFile(part, 'attempts.csv'), attemptsCsv(part.run.id, history.requests));
  writeRunFile(part.run, partFile(part, 'events.csv'), eventsCsv(part.run.id, history.events));
}

/** Alone, the part's meta.json is the run's; in `seb bench all`, the run writes one for every part. */
export function writePartMeta(part: RunPart, meta: Readonly<Record<string, unknown>>): void {
  if (!part.shared) writeRunFile(part.run, 'meta.json', `${JSON.stringify({ run_id: part.run.id, bench: part.name, ...meta }, null, 2)}\n`);
}

/** The fleet's own working folder (logs, record logs, etcd data), kept when a part fails. */
export function workDirName(part: RunPart): string {
  return part.shared ? `work-${part.name}` : 'work';
}

/** What a fleet bench (revocation, faults) is run with, besides its scenario. */
export interface PartOptions {
  /** Where the scenario was read from, for meta.json. */
  readonly scenarioFile: string;
  readonly quick: boolean;
  readonly resultsRoot: string;
  /** The run folder of `seb bench all`, shared with the other parts; default a folder of its own. */
  readonly run?: RunDir;
  readonly log: (line: string) => void;
}

/** What a part found, for the run that holds it. */
export interface PartOutcome {
  readonly validation: ValidationSummary;
  readonly meta: Readonly<Record<string, unknown>>;
}
