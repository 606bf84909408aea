// Outstanding certificates (revocation propagation): signed before a
// revocation, then sent at a steady pace by a few workers per broker, so
// that some are still unsent when it is published. Each is sent through the
// fleet's one client and recorded as attempt `outstanding`.
import type { Certified, FleetLoad } from './load.js';
import type { FleetBroker } from '../../bench/fleet.js';
import { eachLimited } from '../kinds/shared.js';
import { sleepUntil } from './pace.js';

export interface OutstandingShape {
  readonly workers: number;
  /** Between two sends of one worker. */
  readonly paceMs: number;
  /** Certificates each worker sends. */
  readonly perWorker: number;
}

export interface Outstanding {
  /** The jtis not sent yet. */
  unsent(): string[];
  /** Start every worker's queue at `startMs` (run clock); resolves when all are sent. */
  send(startMs: number): Promise<void>;
}

/** Request index of broker `b`'s first outstanding certificate (requests base, base + 1, … in queue order). */
export const firstIndexOf = (shape: OutstandingShape, base: number, b: number): number => base + b * shape.workers * shape.perWorker;

/** Sign every queue (request `base + n`, at revocation floor `rep`): queue (b, w) is broker b's worker w's. */
export async function admitOutstanding(load: Pick<FleetLoad, 'admit' | 'execute' | 'now'>, brokers: readonly FleetBroker[], shape: OutstandingShape, base: number, rep: number): Promise<Outstanding> {
  const indices = Array.from({ length: brokers.length * shape.workers * shape.perWorker }, (_, n) => base + n);
  const certs: Certified[] = new Array(indices.length);
  await eachLimited(indices, 8, async (i, n) => void (certs[n] = await load.admit(i, rep)));
  const sent = new Set<string>();
  const queue = (b: number, w: number) => certs.slice((b * shape.workers + w) * shape.perWorker, (b * shape.workers + w + 1) * shape.perWorker);
  const worker = async (broker: FleetBroker, items: Certified[], startMs: number) => {
    for (const [k, c] of items.entries()) {
      await sleepUntil(load, startMs + k * shape.paceMs);
      sent.add(c.jti);
      await load.execute(broker, c, 'outstanding');
    }
  };
  return {
    unsent: () => certs.filter((c) => !sent.has(c.jti)).map((c) => c.jti),
    async send(startMs) {
      await Promise.all(brokers.flatMap((broker, b) => Array.from({ length: shape.workers }, (_, w) => worker(broker, queue(b, w), startMs))));
    },
  };
}
