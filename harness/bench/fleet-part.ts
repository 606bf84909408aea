// A fleet scenario (revocation propagation, the fault matrix) through the one
// run loop (run/loop.ts), as the paper's scenarios go through it: the fleet's
// load records into the run's history, the loop validates it against every
// broker's record log (after reconciliation), the live state and
// kube-apiserver's audit log, and the part's files are written whatever ended
// it. Violations are reported, not thrown: the bench's command fails on them
// after printing what was measured (and `seb bench all` after every part).
import type { RunValidation } from '../validate/run-validation.js';
import type { Revocation } from '../validate/violations.js';
import { runLoop, type LoopEnd } from '../run/loop.js';
import { errorReason } from '../workload/workload.js';
import { collectSources } from './collect.js';
import type { FleetLoad } from '../workload/fleet/load.js';
import type { Fleet } from './fleet.js';
import { writePartHistory, writePartMeta, type RunPart } from './part.js';

export interface FleetPartOptions {
  readonly part: RunPart;
  readonly resultsRoot: string;
  readonly fleet: Fleet;
  readonly load: FleetLoad;
  /** The revocations published (and revocation-source outages) so far: the validator judges executions against them. */
  readonly revocations: readonly Revocation[];
  readonly log: (line: string) => void;
  /** The scenario: its load, its events, recorded in the load's history. */
  measure(): Promise<void>;
  /** The part's own tables from what was measured, written whatever ended the run; returns the part's meta. */
  write(end: LoopEnd): Record<string, unknown>;
}

export interface FleetPartEnd {
  readonly validation: RunValidation;
  readonly meta: Readonly<Record<string, unknown>>;
}

export async function runFleetPart(o: FleetPartOptions): Promise<FleetPartEnd> {
  const { part, load } = o;
  const end = await runLoop([{ name: load.scenario, run: o.measure }], {
    run: part.run,
    resultsRoot: o.resultsRoot,
    history: load.history,
    note: o.log,
    onViolations: 'report',
    shared: part.shared,
    validate: (t0) => collectSources(o.fleet, load, o.revocations, t0),
    write: (e) => {
      writePartHistory(part, load.history);
      // Every *_ms in the part's files counts from clock_origin; with the run's started_at, the parts line up on one clock.
      const meta = { clock_origin: load.history.startedAt.toISOString(), ...o.write(e), ...(e.failure === undefined ? {} : { failure: errorReason(e.failure) }) };
      writePartMeta(part, meta);
      return meta;
    },
  });
  // The loop validates every run it is given `validate` for, or throws: a returned run has its validation.
  return { validation: end.validation as RunValidation, meta: end.written };
}
