// The fault matrix's light load: per broker one worker in a closed loop,
// each request fresh (the SAB signs it against the live state, then it is
// sent through the fleet's one client, recorded as attempt `fresh`), until
// stopped. What executed is kept for the certificate storm to replay.
import type { Certified, FleetLoad } from './load.js';
import type { FleetBroker } from '../../bench/fleet.js';

/** After a failed admission or an error answer (a broker that is down answers at once): do not spin. */
const BACKOFF_MS = 200;

export interface FreshLoop {
  /** The certificates executed so far. */
  readonly executed: readonly Certified[];
  stop(): Promise<void>;
}

/** `nextIndex(n)`: broker n's request indices (its slot's, so one writer per slot). */
export function startFreshLoop(load: Pick<FleetLoad, 'admit' | 'execute'>, brokers: readonly FleetBroker[], nextIndex: (n: number) => () => number): FreshLoop {
  let running = true;
  const executed: Certified[] = [];
  const backoff = () => new Promise((r) => setTimeout(r, BACKOFF_MS));
  const worker = async (broker: FleetBroker, next: () => number) => {
    while (running) {
      // The SAB reads the platform to admit: with the platform down, it waits.
      const c = await load.admit(next()).catch(() => undefined);
      if (c === undefined) {
        await backoff();
        continue;
      }
      const a = await load.execute(broker, c, 'fresh');
      if (a.outcome === 'executed') executed.push(c);
      if (a.outcome === 'error') await backoff();
    }
  };
  const workers = brokers.map((b, n) => worker(b, nextIndex(n)));
  return {
    executed,
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}
