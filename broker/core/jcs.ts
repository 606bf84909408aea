// RFC 8785 JSON Canonicalization Scheme. ECMAScript's own number and string
// serialization is what the RFC specifies (its sections 3.2.2.2 and 3.2.2.3),
// so the only work left is sorting member names by UTF-16 code units and
// refusing what I-JSON forbids.
import { InvalidInputError } from './errors.js';
import type { JsonValue } from './strict-json.js';

export function canonicalize(value: JsonValue): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidInputError('JCS: non-finite number');
    return JSON.stringify(value);
  }
  if (typeof value === 'string') {
    if (!value.isWellFormed()) throw new InvalidInputError('JCS: lone surrogate in string');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalize).join(',')}]`;
  if (typeof value !== 'object') throw new InvalidInputError(`JCS: not a JSON value (${typeof value})`);
  // Default sort compares UTF-16 code units, exactly as the RFC asks.
  const names = Object.keys(value).sort();
  const members = names.map((name) => {
    const member = value[name];
    if (member === undefined) throw new InvalidInputError('JCS: undefined member');
    return `${canonicalize(name)}:${canonicalize(member)}`;
  });
  return `{${members.join(',')}}`;
}
