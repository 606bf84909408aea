// Scenario events on the bench: an out-of-band change goes to every target
// of the named mutation's workload while that workload runs; a revocation
// needs brokers that follow the etcd revocation feed, and `bench paper` runs
// one broker with a static revocation list, so a scenario with one is refused
// before the run starts (as are faults). The runner records each answer in
// events.csv, and fails the run on any event that could not be carried out.
import type { EventHandler } from '../run/events.js';
import type { Scenario, ScenarioEvent } from '../scenario/schema.js';
import type { Workload } from '../workload/workload.js';

interface Live {
  readonly workload: Workload;
  readonly poolSize: number;
  changes: number;
}

/** The workloads running now, by scenario and mutation: the runner prepares and cleans them up. */
export class LiveWorkloads {
  private readonly live = new Map<string, Live>();

  /** A workload that registers itself while it runs (from prepare to cleanup). */
  track(scenario: string, workload: Workload, poolSize: number): Workload {
    const key = keyOf(scenario, workload.operation);
    return {
      ...workload,
      prepare: async () => {
        await workload.prepare();
        this.live.set(key, { workload, poolSize, changes: 0 });
      },
      cleanup: async () => {
        this.live.delete(key);
        await workload.cleanup();
      },
    };
  }

  get(scenario: string, mutation: string): Live | undefined {
    return this.live.get(keyOf(scenario, mutation));
  }
}

function keyOf(scenario: string, mutation: string): string {
  return `${scenario}\0${mutation}`;
}

/** Request indices the handler uses for its changes: far above any a run reaches, one pool's worth per event. */
const EVENT_INDEX_BASE = 1_000_000_000;

const REVOKE_UNAVAILABLE =
  'bench paper runs one broker with a static revocation list; a live revocation needs brokers that follow the etcd revocation feed (broker/sab/revocations.ts), as bench revocation runs them';
const FAULT_UNAVAILABLE = 'bench paper does not inject faults (bench faults does)';

export function benchEventHandler(live: LiveWorkloads): EventHandler {
  const handle = async (event: ScenarioEvent, { scenario }: { readonly scenario: Scenario }): Promise<string> => {
    switch (event.kind) {
      case 'out-of-band-change': {
        const running = live.get(scenario.name, event.mutation);
        if (running?.workload.outOfBand === undefined) {
          throw new Error(`no ${event.mutation} workload was running (a scenario's mutations run one after another)`);
        }
        // Index base + k names slot k when the base is a multiple of the pool's size.
        const base = (EVENT_INDEX_BASE - (EVENT_INDEX_BASE % running.poolSize)) + running.poolSize * running.changes++;
        for (let k = 0; k < running.poolSize; k++) await running.workload.outOfBand(base + k);
        return `out-of-band change to all ${running.poolSize} ${event.mutation} targets`;
      }
      case 'revoke':
        throw new Error(REVOKE_UNAVAILABLE);
      case 'fault':
        throw new Error(FAULT_UNAVAILABLE);
    }
  };
  return Object.assign(handle, { cannotCarryOut: (event: ScenarioEvent) => (event.kind === 'revoke' ? REVOKE_UNAVAILABLE : event.kind === 'fault' ? FAULT_UNAVAILABLE : undefined) });
}
