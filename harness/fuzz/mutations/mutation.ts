// What a mutation and a slot are, and the helpers mutations share. Apart
// from the catalogue (index.ts), which imports every slot, so that no slot
// imports the catalogue back.
import type { Reason } from '../../../broker/core/reasons.js';
import type { Draft } from '../model.js';

export interface Mutation {
  readonly name: string;
  /** `seb verify` flags cannot express it (sub-second times, an aged revocation view). */
  readonly inProcessOnly?: boolean;
  apply(d: Draft, p: number): Reason | null | 'render';
}

export interface Slot {
  readonly name: string;
  /** Odds against using the slot in a case: higher, rarer. */
  readonly emptyWeight: number;
  readonly mutations: readonly Mutation[];
}

/** Define a member even when its name is "__proto__". */
export function setMember(obj: object, name: string, value: unknown): void {
  Object.defineProperty(obj, name, { value, enumerable: true, writable: true, configurable: true });
}

/** A different identifier of the same length (printable ASCII, no spaces). */
export function otherIdentifier(s: string): string {
  const last = s.at(-1);
  return `${s.slice(0, -1)}${last === 'x' ? 'y' : 'x'}`;
}
