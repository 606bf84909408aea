import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './errors.js';
import { decodeUtf8, parseStrictJson } from './strict-json.js';

const parse = (text: string) => parseStrictJson(text, 'test');
// fc.json() has no duplicate names and no lone surrogates, so JSON.parse is the oracle.
const plain = (v: unknown) => JSON.parse(JSON.stringify(v));

describe('parseStrictJson', () => {
  it('agrees with JSON.parse on well-formed JSON', () => {
    fc.assert(
      fc.property(fc.json({ depthSize: 'small' }), (text) => {
        expect(plain(parse(text))).toEqual(JSON.parse(text));
      }),
    );
  });

  it('agrees with JSON.parse on any whitespace layout', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const pretty = JSON.stringify(value, null, '\t\r\n ');
        expect(plain(parse(pretty))).toEqual(JSON.parse(pretty));
      }),
    );
  });

  it('refuses a duplicate member name anywhere, even when escaped differently', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }), (name, a, b) => {
        const first = JSON.stringify(name);
        const escaped = `"${[...name].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`;
        const text = `{"outer":{${first}:${JSON.stringify(a)},${escaped}:${JSON.stringify(b)}}}`;
        expect(() => parse(text)).toThrow(/duplicate member name/);
      }),
    );
  });

  it('caps nesting depth', () => {
    expect(() => parse('['.repeat(33) + ']'.repeat(33))).toThrow(/nesting deeper than 32/);
    expect(parse('['.repeat(32) + ']'.repeat(32))).toBeDefined();
    expect(() => parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`)).toThrow(InvalidInputError);
  });

  it.each([
    ['lone high surrogate', '"\\ud800"'],
    ['lone low surrogate', '"\\udc00x"'],
    ['raw lone surrogate', '"\ud800"'],
    ['non-finite number', '1e400'],
    ['leading zero', '01'],
    ['trailing comma', '[1,]'],
    ['trailing data', '{} {}'],
    ['single quotes', "{'a':1}"],
    ['control character', '"a\u0001"'],
    ['bad escape', '"\\x41"'],
    ['NaN', 'NaN'],
    ['empty', ''],
    ['plus sign', '+1'],
  ])('refuses %s', (_, text) => {
    expect(() => parse(text)).toThrow(InvalidInputError);
  });

  it('keeps "__proto__" as plain data', () => {
    const v = parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('decodes UTF-8 strictly and refuses a byte-order mark', () => {
    expect(decodeUtf8(Buffer.from('{"é":1}'), 't')).toBe('{"é":1}');
    expect(() => decodeUtf8(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), 't')).toThrow(/not valid UTF-8/);
    expect(() => decodeUtf8(Buffer.from('\ufeff{}'), 't')).toThrow(/byte-order mark/);
  });
});
