// What the concrete mutation kinds share: a pool of targets per workload
// (request i touches slot i % size, and a load sends one request per target
// at a time, run/target-queue.ts, so no request drifts another's target),
// and the pre-state read through the broker's own adapter, so the certified
// `pre` is exactly the projection the broker's drift predicate digests.
import type { Contract } from '../../../broker/core/certificate/contract.js';
import type { MutationPlan } from '../../../broker/core/ports/platform.js';
import type { LiveState } from '../../../broker/core/predicates/drift.js';
import type { Scenario } from '../../scenario/schema.js';
import type { PreState } from '../mutation.js';

/** The read side of a platform adapter, with the broker's identity: what the SAB certifies against. */
export interface StateReader {
  plan(contract: Contract): MutationPlan;
  readLiveState(plan: MutationPlan): Promise<LiveState>;
}

export interface Pool {
  /** Names of the pool's targets carry it: unique per run, so runs sharing a target never collide. */
  readonly tag: string;
  readonly size: number;
}

export function slotOf(i: number, pool: Pool): number {
  return i % pool.size;
}

export async function preStateThrough(reader: StateReader, contract: Contract): Promise<PreState> {
  const live = await reader.readLiveState(reader.plan(contract));
  return { state: live.state, ...(live.version === undefined ? {} : { version: live.version }) };
}

/** Targets an open loop spreads over: as many as it keeps in flight below saturation on this machine (more would mean more executors to make on first use). */
export const OPEN_LOOP_POOL = 16;

/**
 * How many targets a workload of this scenario spreads over: a storm admits
 * every certificate before any executes, so each needs its own; a closed
 * loop has `workers` in flight; an open loop OPEN_LOOP_POOL, past which
 * requests of one target wait their turn (run/target-queue.ts).
 */
export function poolSizeFor(scenario: Scenario): number {
  if (scenario.storm !== undefined) return scenario.storm.certificates;
  const load = scenario.load;
  if (load === undefined) return 4;
  if (load.mode === 'closed') return Math.max(4, 2 * load.workers);
  return Math.min(load.max_in_flight, OPEN_LOOP_POOL);
}

/** Calls at a time when a pool is made or removed. */
export const SETUP_CONCURRENCY = 8;

/** Run `fn` over `items`, at most `limit` at a time (setting up and removing a pool). */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const k = next++;
      await fn(items[k] as T, k);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
