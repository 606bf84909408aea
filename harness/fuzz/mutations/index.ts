// The mutation catalogue. Each slot holds mutations that touch the same part
// of a case, so at most one applies per slot and slots never undo each
// other's work; each mutation returns the reason it must cause by itself
// (or 'render' when only the rendered bytes can tell). Slots apply in this
// order: semantic edits first, then claim shapes, then header and signature,
// then encodings, so a later slot's certain `malformed` is never undone.
import type { Draft } from '../model.js';
import { CLAIMS } from './claims.js';
import { CONTRACT } from './contract.js';
import { ENCODING } from './encoding.js';
import { PROOF } from './proof.js';
import { AUDIENCE, EPOCH, ISSUER, REVOCATION } from './semantic.js';
import { SIGNATURE } from './signature.js';
import { DRIFT, LEDGER } from './state.js';
import { WINDOW } from './window.js';
import type { Slot } from './mutation.js';

export const SLOTS: readonly Slot[] = [WINDOW, ISSUER, AUDIENCE, EPOCH, REVOCATION, CONTRACT, PROOF, LEDGER, DRIFT, CLAIMS, SIGNATURE];
export const ENCODING_SLOT: Slot = ENCODING;

export interface ChoiceLike {
  readonly name: string;
  readonly p: number;
}

export function applyMutations(d: Draft, slots: readonly (ChoiceLike | null)[], encoding: readonly ChoiceLike[]): void {
  SLOTS.forEach((slot, i) => {
    const choice = slots[i];
    if (choice) applyOne(d, slot, choice);
  });
  for (const choice of encoding) applyOne(d, ENCODING_SLOT, choice);
}

function applyOne(d: Draft, slot: Slot, choice: ChoiceLike): void {
  const mutation = slot.mutations.find((m) => m.name === choice.name);
  if (mutation === undefined) throw new Error(`unknown mutation ${slot.name}.${choice.name}`);
  const expect = mutation.apply(d, choice.p);
  if (expect !== 'render') d.tags.push({ tag: `${slot.name}.${choice.name}`, expect });
}
