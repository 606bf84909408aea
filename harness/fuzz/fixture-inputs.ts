// Fixed inputs for tests and the hand-named corpus: one plain valid case
// (BaseParams), and inputs that apply exactly the named mutations to it.
import type { Choice, FuzzInput } from './arbitraries.js';
import type { BaseParams } from './model.js';
import { ENCODING_SLOT, SLOTS } from './mutations/index.js';

export const PLAIN_BASE: BaseParams = {
  nowS: 1_800_000_000,
  nowMsPart: 0,
  skewS: 30,
  maxLifetimeS: 3600,
  lifetimeDraw: 299, // lifetime 300 s
  ageDraw: 10, // issued 10 s ago
  nbfDraw: null,
  iss: 'sab.example',
  sub: 'agent-7',
  audience: 'seb.example',
  audOthers: [],
  audAsString: true,
  jti: 'cert-0001',
  pep: 3,
  rep: 2,
  floorBelow: 0,
  revokedOthers: [],
  revocationAgeDraw: 0,
  revocationMaxAgeMs: 2000,
  contract: { platform: 'kubernetes', target: { namespace: 'prod', kind: 'Deployment', name: 'web' }, operation: 'scale', parameters: { replicas: 3 } },
  uses: null,
  pre: { state: { replicas: 2 }, version: '41' },
  live: true,
  agent: null,
  proofIatDraw: 0,
  trusted: [0, 1],
  signerDraw: 0,
  ledger: true,
};

/** The input that applies these mutations ("slot.name", with its parameter) to a base. */
export function inputWith(mutations: readonly (readonly [string, number])[], base: BaseParams = PLAIN_BASE, cli = true): FuzzInput {
  const slots: (Choice | null)[] = SLOTS.map(() => null);
  const encoding: Choice[] = [];
  for (const [tag, p] of mutations) {
    const [slotName, name] = tag.split('.') as [string, string];
    if (slotName === ENCODING_SLOT.name) {
      encoding.push({ name, p });
      continue;
    }
    const i = SLOTS.findIndex((s) => s.name === slotName);
    if (i < 0 || !SLOTS[i]?.mutations.some((m) => m.name === name)) throw new Error(`no mutation ${tag}`);
    slots[i] = { name, p };
  }
  return { cli, base, slots, encoding };
}
