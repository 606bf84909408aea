// /v1/verify probes (revocation propagation): per broker one probe in
// flight, each sent `everyMs` after the one before it was sent (at once if
// that one answered later), so a slow answer does not also push the next
// probe a full interval further out. Sent through the fleet's one client and
// recorded as attempt `probe`; they run until stopped.
import type { Certified, FleetLoad } from './load.js';
import type { FleetBroker } from '../../bench/fleet.js';
import { sleepUntil } from './pace.js';

export interface Probes {
  stop(): Promise<void>;
}

/** Probe broker n with `certificates[n]`. */
export function startProbes(load: Pick<FleetLoad, 'verify' | 'now'>, brokers: readonly FleetBroker[], certificates: readonly Certified[], everyMs: number): Probes {
  let probing = true;
  const prober = async (broker: FleetBroker, c: Certified) => {
    while (probing) {
      const sentMs = load.now();
      await load.verify(broker, c);
      await sleepUntil(load, sentMs + everyMs);
    }
  };
  const probers = brokers.map((b, n) => prober(b, certificates[n] as Certified));
  return {
    async stop() {
      probing = false;
      await Promise.allSettled(probers);
    },
  };
}
