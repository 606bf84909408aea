import type { FleetLoad } from './load.js';

/** Wait until `ms` on the run's clock (at once if it has passed). */
export async function sleepUntil(load: Pick<FleetLoad, 'now'>, ms: number): Promise<void> {
  const wait = ms - load.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
