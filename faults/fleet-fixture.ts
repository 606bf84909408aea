// For the fault modules' integration tests: a small fleet (the local
// Kubernetes target, the 3-member state cluster, toxiproxy, two brokers) and
// one fault step run through the bench's own runStep, then validated. Keeps
// the run folder when a test fails, as the bench does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStep, slotIndices, slotsFor, type StepWindow } from '../harness/bench/faults.js';
import type { Step } from './from-event.js';
import { fleetLoad, type FleetLoad } from '../harness/workload/fleet/load.js';
import { startFleet, type Fleet } from '../harness/bench/fleet.js';
import { collectSources } from '../harness/bench/collect.js';
import { validateRun, validationLine } from '../harness/validate/run-validation.js';
import { History } from '../harness/metrics/history.js';
import type { Revocation, Violation } from '../harness/validate/violations.js';

export const TEST_MAX_AGE_MS = 2000;

export interface TestFleet {
  readonly fleet: Fleet;
  readonly load: FleetLoad;
  /** Run one step, reconcile, validate. */
  step(make: (fleet: Fleet, load: FleetLoad) => Step): Promise<{ window: StepWindow; violations: Violation[] }>;
  stop(failed: boolean): Promise<void>;
}

export async function startTestFleet(brokers = 2): Promise<TestFleet> {
  const workDir = mkdtempSync(join(tmpdir(), 'seb-fault-'));
  const log = (line: string) => process.stderr.write(`[fault test] ${line}\n`);
  const fleet = await startFleet({ workDir, brokers, maxAgeMs: TEST_MAX_AGE_MS, log });
  const slots = slotsFor(brokers);
  const load = await fleetLoad(fleet, slots, new History(), 'fault-test').catch(async (e: unknown) => {
    await fleet.stop();
    throw e;
  });
  const indexOf = slotIndices(slots);
  return {
    fleet,
    load,
    async step(make) {
      const step = make(fleet, load);
      const window = await runStep(fleet, load, step, indexOf, slots, log);
      const revocations: Revocation[] = step.outage ? [{ atMs: window.injectedMs, boundMs: TEST_MAX_AGE_MS, outageUntilMs: window.removeStartMs }] : [];
      const sources = await collectSources(fleet, load, revocations, load.history.startedAt.getTime());
      const validation = validateRun(sources, load.history.requests);
      log(validationLine(validation));
      return { window, violations: [...validation.violations] };
    },
    async stop(failed) {
      await load.close().catch(() => undefined);
      await fleet.stop();
      if (failed) log(`kept ${workDir}`);
      else rmSync(workDir, { recursive: true, force: true });
    },
  };
}
