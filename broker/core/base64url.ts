// Strict base64url (RFC 4648 section 5, no padding). Only the canonical
// encoding of a byte string is accepted: the same bytes have one spelling, so
// a certificate cannot be re-encoded into a second token that still verifies.
import { InvalidInputError } from './errors.js';

const ALPHABET = /^[A-Za-z0-9_-]*$/;

export function encodeBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

export function decodeBase64url(text: string, what: string): Buffer {
  if (!ALPHABET.test(text) || text.length % 4 === 1) throw new InvalidInputError(`${what}: not base64url`);
  const bytes = Buffer.from(text, 'base64url');
  // Non-zero trailing bits decode to the same bytes; refuse them.
  if (bytes.toString('base64url') !== text) throw new InvalidInputError(`${what}: non-canonical base64url`);
  return bytes;
}
