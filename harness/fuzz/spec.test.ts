// The oracle's own rules, pinned: window edges in milliseconds, the proof's
// time rule, the order of reasons, JSON equality, and the JSON writer's
// respellings, which must all read back as the same value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8, parseStrictJson, type JsonValue } from '../../broker/core/strict-json.js';
import { writeJson, type JsonStyle } from './json-text.js';
import { firstReason, jsonDepth, proofTimeReason, revocationReason, sameJson, windowReason } from './spec.js';

const W = { iat: 1000, nbf: 1100, exp: 1400 };

describe('windowReason', () => {
  it('is valid from nbf - skew inclusive to exp + skew exclusive, to the millisecond', () => {
    expect(windowReason(W, 1_070_000 - 1, 30, 3600)).toBe('not_yet_valid');
    expect(windowReason(W, 1_070_000, 30, 3600)).toBeNull();
    expect(windowReason(W, 1_430_000 - 1, 30, 3600)).toBeNull();
    expect(windowReason(W, 1_430_000, 30, 3600)).toBe('expired');
  });

  it('caps the lifetime exp - iat, whatever the clock says', () => {
    expect(windowReason(W, 1_200_000, 30, 400)).toBeNull();
    expect(windowReason(W, 1_200_000, 30, 399)).toBe('lifetime_too_long');
  });

  it('calls a window that is not iat <= nbf < exp, or not made of NumericDates, malformed', () => {
    expect(windowReason({ ...W, nbf: 999 }, 1_200_000, 30, 3600)).toBe('malformed');
    expect(windowReason({ ...W, exp: 1100 }, 1_200_000, 30, 3600)).toBe('malformed');
    expect(windowReason({ ...W, exp: 2 ** 53 }, 1_200_000, 30, 3600)).toBe('malformed');
    expect(windowReason({ ...W, iat: '1000' }, 1_200_000, 30, 3600)).toBe('malformed');
    expect(windowReason({ iat: 0, nbf: undefined, exp: 1 }, 0, 0, 1)).toBeNull();
    expect(windowReason({ iat: -0, nbf: undefined, exp: 1 }, 0, 0, 1)).toBeNull();
  });
});

describe('the other rules', () => {
  it('accepts a proof iat within the skew of now, both sides inclusive', () => {
    expect(proofTimeReason(970, 1_000_000, 30)).toBeNull();
    expect(proofTimeReason(1030, 1_000_000, 30)).toBeNull();
    expect(proofTimeReason(969, 1_000_000, 30)).toBe('pop_invalid');
    expect(proofTimeReason(1000, 1_000_001, 0)).toBe('pop_invalid');
  });

  it('revokes below the floor or by id before it judges the view stale', () => {
    const view = { floor: 3, revoked: ['a'], ageMs: 0, maxAgeMs: 2000 };
    expect(revocationReason({ rep: 3, jti: 'b', ...view })).toBeNull();
    expect(revocationReason({ rep: 2, jti: 'b', ...view })).toBe('revoked');
    expect(revocationReason({ rep: 3, jti: 'a', ...view, ageMs: 9999 })).toBe('revoked');
    expect(revocationReason({ rep: 3, jti: 'b', ...view, ageMs: 2001 })).toBe('revocation_stale');
    expect(revocationReason({ rep: 3, jti: 'b', ...view, ageMs: 2000 })).toBeNull();
  });

  it('picks the first failing predicate', () => {
    expect(firstReason([null, 'drift', 'expired', null, 'pop_invalid'])).toBe('expired');
    expect(firstReason(['replayed', 'ledger_unavailable'])).toBe('replayed');
    expect(firstReason([null, null])).toBeNull();
  });

  it('compares JSON by value: members unordered, 0 equal to -0', () => {
    expect(sameJson({ a: [1, { b: -0 }], c: 'x' }, { c: 'x', a: [1, { b: 0 }] })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined as unknown as JsonValue })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson({ a: '1' }, { a: 1 })).toBe(false);
    expect(jsonDepth({ a: [[]] })).toBe(3);
  });
});

describe('writeJson', () => {
  const styles: fc.Arbitrary<JsonStyle> = fc.record({
    order: fc.constantFrom('as-is', 'reversed'),
    space: fc.constantFrom('none', 'pretty', 'odd'),
    numbers: fc.constantFrom('plain', 'decimal', 'exponent', 'negative-zero'),
    strings: fc.constantFrom('minimal', 'escape-all', 'escape-solidus'),
  });

  it('spells a value many ways that all read back as that value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'grapheme' }), styles, (value, style) => {
        const text = writeJson(value as JsonValue, style);
        const back = parseStrictJson(decodeUtf8(Buffer.from(text), 'test'), 'test', 1000);
        expect(sameJson(back, value as JsonValue)).toBe(true);
      }),
    );
  });

  it('writes injected members verbatim, duplicates included', () => {
    expect(writeJson({ a: { b: 1 } }, {}, [{ at: ['a'], member: '"b":2' }])).toBe('{"a":{"b":1,"b":2}}');
    expect(writeJson(10_200, { numbers: 'exponent' })).toBe('102E+2');
    expect(writeJson('a/b', { strings: 'escape-solidus' })).toBe('"a\\/b"');
  });
});
