import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Claims } from '../certificate/claims.js';
import { checkWindow } from './window.js';

function claims(iat: number, nbf: number, exp: number): Claims {
  return { iat, nbf, exp } as Claims;
}

const window = fc
  .record({ iat: fc.integer({ min: 1_000_000, max: 2_000_000_000 }), delay: fc.nat(100), life: fc.integer({ min: 1, max: 7200 }), skew: fc.nat(120) })
  .map(({ iat, delay, life, skew }) => ({ c: claims(iat, iat + delay, iat + delay + life), skew, maxLife: 7200 + 100 }));

describe('predicate 4: validity window', () => {
  it('is valid exactly from nbf - skew (inclusive) to exp + skew (exclusive)', () => {
    fc.assert(
      fc.property(window, ({ c, skew, maxLife }) => {
        const open = (c.nbf - skew) * 1000;
        const close = (c.exp + skew) * 1000;
        expect(checkWindow(c, open, skew, maxLife)).toBeNull();
        expect(checkWindow(c, open - 1, skew, maxLife)).toBe('not_yet_valid');
        expect(checkWindow(c, close - 1, skew, maxLife)).toBeNull();
        expect(checkWindow(c, close, skew, maxLife)).toBe('expired');
      }),
    );
  });

  it('holds everywhere inside the window and nowhere outside it', () => {
    fc.assert(
      fc.property(window, fc.integer({ min: -10_000_000, max: 10_000_000 }), ({ c, skew, maxLife }, offsetMs) => {
        const now = c.nbf * 1000 + offsetMs;
        const inside = now >= (c.nbf - skew) * 1000 && now < (c.exp + skew) * 1000;
        const reason = checkWindow(c, now, skew, maxLife);
        expect(reason === null).toBe(inside);
        if (!inside) expect(reason).toBe(now < (c.nbf - skew) * 1000 ? 'not_yet_valid' : 'expired');
      }),
    );
  });

  it('caps the lifetime at its edge, whatever the clock', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 86_400 }), fc.integer({ min: 1, max: 86_400 }), (life, maxLife) => {
        const c = claims(1_000_000, 1_000_000, 1_000_000 + life);
        const reason = checkWindow(c, 1_000_000 * 1000, 0, maxLife);
        expect(reason).toBe(life > maxLife ? 'lifetime_too_long' : null);
      }),
    );
  });

  it('refuses a certificate issued in the future beyond the skew', () => {
    expect(checkWindow(claims(1000, 1000, 1100), 900_000, 30, 3600)).toBe('not_yet_valid');
  });
});
