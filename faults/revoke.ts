// A scenario's `revoke` event (scenarios/revocation/*.yaml, checked by
// harness/scenario/fleet-schema.ts) carried out as the SAB would: every
// certificate still outstanding revoked by jti in one transaction (scope
// `outstanding`: one raft entry, one watch event per broker), or the
// revocation floor raised above the certificates' `rep` (scope `epoch`).
// Like a fault's inject, the publication is awaited and both its instants
// are on the run's clock; the bench brackets it with health checks. What it
// returns is the revocation the validator judges executions against.
import type { FleetEvent } from '../harness/scenario/fleet-schema.js';
import type { Revocation } from '../harness/validate/violations.js';
import { FaultError } from './fault.js';

export type RevokeEvent = Extract<FleetEvent, { kind: 'revoke' }>;

/** Where revocations are published (broker/sab/revocations.ts RevocationPublisher). */
export interface RevocationSource {
  revokeAll(jtis: readonly string[]): Promise<unknown>;
  raiseFloor(floor: number): Promise<unknown>;
}

export interface RevokeContext {
  readonly source: RevocationSource;
  /** The certificates not yet sent when the event fires, in the order they should be revoked. */
  outstanding(): readonly string[];
  /** The revocation floor in force before the event. */
  readonly floor: number;
  /** The brokers' staleness bound (revocation.maxAgeMs): past it no broker may accept a revoked certificate. */
  readonly boundMs: number;
  /** ms since the run's start. */
  now(): number;
}

export interface Revoked {
  /** `atMs` is when publication began. */
  readonly revocation: Revocation;
  /** When the source had it (the publication's answer). */
  readonly publishedMs: number;
  /** The floor in force after the event. */
  readonly floor: number;
  readonly detail: string;
}

export async function revoke(event: RevokeEvent, ctx: RevokeContext): Promise<Revoked> {
  const atMs = ctx.now();
  try {
    if (event.scope === 'outstanding') {
      const jtis = [...ctx.outstanding()];
      await ctx.source.revokeAll(jtis);
      const publishedMs = ctx.now();
      return { revocation: { atMs, boundMs: ctx.boundMs, jtis: new Set(jtis) }, publishedMs, floor: ctx.floor, detail: `revoked ${jtis.length} outstanding certificates by jti in ${publishedMs - atMs} ms` };
    }
    const floor = ctx.floor + 1;
    await ctx.source.raiseFloor(floor);
    const publishedMs = ctx.now();
    return { revocation: { atMs, boundMs: ctx.boundMs, floor }, publishedMs, floor, detail: `raised the revocation floor to ${floor} in ${publishedMs - atMs} ms` };
  } catch (error) {
    throw new FaultError(`revoke ${event.scope}`, `could not publish: ${(error as Error).message}`, { cause: error });
  }
}
