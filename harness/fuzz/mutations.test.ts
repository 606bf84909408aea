// Every mutation in the catalogue, alone, on two quite different valid
// cases, must be decided exactly as the oracle says; and a case with no
// mutation at all is allowed, whatever the model drew.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzInput } from './arbitraries.js';
import { checkInProcess, decideCase } from './execute.js';
import { inputWith, PLAIN_BASE } from './fixture-inputs.js';
import type { BaseParams } from './model.js';
import { ENCODING_SLOT, SLOTS } from './mutations/index.js';
import { buildCase } from './oracle.js';

// ES256 signer, a bound agent key, two uses, a sub-second clock, aud as an array.
const OTHER_BASE: BaseParams = { ...PLAIN_BASE, agent: 1, trusted: [1, 2], uses: 2, nowMsPart: 517, audAsString: false, audOthers: ['other.broker'] };

describe('the mutation catalogue', () => {
  const all = [...SLOTS, ENCODING_SLOT].flatMap((slot) => slot.mutations.map((m) => ({ tag: `${slot.name}.${m.name}`, inProcessOnly: m.inProcessOnly === true })));

  it.each([
    ['a plain EdDSA case through seb verify flags', PLAIN_BASE, true],
    ['a bound ES256 case in process', OTHER_BASE, false],
  ] as const)('each mutation alone is decided as expected: %s', async (_name, base, cli) => {
    const wrong: string[] = [];
    for (const { tag, inProcessOnly } of all) {
      if (cli && inProcessOnly) continue;
      for (const p of [0, 1, 2, 7]) {
        const c = buildCase(inputWith([[tag, p]], base, cli));
        const { findings } = await checkInProcess(c);
        if (findings.length > 0) wrong.push(`${tag} p=${p}: ${findings.map((f) => f.detail).join('; ')}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  // Combinations seb fuzz found where one mutation undid another (fixed in the harness).
  it.each([
    [['encoding.header-surrounding-whitespace', 'encoding.header-trailing-garbage']],
    [['encoding.token-drop-signature', 'encoding.token-extra-segment']],
    [['encoding.token-extra-segment', 'encoding.token-drop-signature']],
    [['claims.cdg-short', 'contract.certificate-size-edge']],
  ])('keeps each effect when combined: %j', async (tags) => {
    for (const p of [0, 1, 2, 3]) {
      const c = buildCase(inputWith(tags.map((t) => [t, p] as const)));
      expect(c.expected.reason).toBe('malformed');
      expect((await checkInProcess(c)).findings).toEqual([]);
    }
  });

  it('tags each mutation with the reason it must cause', () => {
    const c = buildCase(inputWith([['signature.alg-none-unsigned', 0], ['window.exp-edge', 1]]));
    expect(c.tags).toEqual([
      { tag: 'window.exp-edge', expect: 'expired' },
      { tag: 'signature.alg-none-unsigned', expect: 'alg_not_allowed' },
    ]);
    expect(c.expected).toEqual({ decision: 'deny', reason: 'alg_not_allowed' });
  });
});

describe('the valid model', () => {
  it('is allowed, used within its limits, for every draw', async () => {
    await fc.assert(
      fc.asyncProperty(fuzzInput({ cli: false, only: [] }), async (input) => {
        const c = buildCase(input);
        expect(c.tags).toEqual([]);
        expect(c.expected).toEqual({ decision: 'allow', reason: null });
        expect((await decideCase(c)).decision).toBe('allow');
      }),
      { numRuns: 150 },
    );
  });

  it('allows each of its uses and refuses one more', async () => {
    const uses = 3;
    for (let spent = 0; spent <= uses; spent++) {
      const c = buildCase(inputWith([['ledger.fresh', 0]], { ...PLAIN_BASE, uses }));
      const d = await decideCase({ ...c, ledger: { issuer: 'sab.example', jti: 'cert-0001', uses, consumed: spent, perUse: false } });
      expect(d.reason).toBe(spent < uses ? null : 'replayed');
    }
  });
});
