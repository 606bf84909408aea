// RFC 8785 canonicalization against the reference test data of the JCS
// author's repository (cyberphone/json-canonicalization, testdata/), vendored
// under test-vectors/rfc8785 (source, licence and checksums in its README).
// Each input is parsed with the broker's strict reader, canonicalized, and
// compared byte for byte with the published output: UTF-8, no trailing newline.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalize } from './jcs.js';
import { decodeUtf8, parseStrictJson } from './strict-json.js';

const dir = new URL('./test-vectors/rfc8785/', import.meta.url);
const names = readdirSync(new URL('input/', dir))
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('RFC 8785 reference vectors (cyberphone/json-canonicalization testdata)', () => {
  it('vendors the six input/output pairs', () => {
    expect(names).toEqual(['arrays.json', 'french.json', 'structures.json', 'unicode.json', 'values.json', 'weird.json']);
    expect(readdirSync(new URL('output/', dir)).sort()).toEqual(names);
  });

  it.each(names)('%s canonicalizes to the published bytes', (name) => {
    const input = readFileSync(new URL(`input/${name}`, dir));
    const expected = readFileSync(new URL(`output/${name}`, dir));
    const value = parseStrictJson(decodeUtf8(input, name), name);
    const actual = Buffer.from(canonicalize(value), 'utf8');
    // Compare as text first for a readable diff, then as bytes for exactness.
    expect(actual.toString('utf8')).toBe(expected.toString('utf8'));
    expect(actual.equals(expected)).toBe(true);
  });

  it.each(names)('%s is a fixed point: the published output canonicalizes to itself', (name) => {
    const expected = readFileSync(new URL(`output/${name}`, dir));
    const value = parseStrictJson(decodeUtf8(expected, name), name);
    expect(Buffer.from(canonicalize(value), 'utf8').equals(expected)).toBe(true);
  });
});
