// JSON forms of log objects for people and files: an entry or tree head shown
// with its payload decoded. Decoding here trusts nothing; only auditLog
// verifies signatures.
import { InvalidInputError } from '../core/errors.js';
import { canonicalize } from '../core/jcs.js';
import { splitCompact } from '../core/jws.js';
import { MAX_SIGNED_BYTES } from '../core/records/signed.js';
import { decodeUtf8, isJsonObject, parseStrictJson, type JsonObject } from '../core/strict-json.js';
import { readJsonFile } from '../files.js';

/** The payload of a compact JWS, decoded but not verified. */
export function peekPayload(jws: string, what: string): JsonObject {
  const payload = parseStrictJson(decodeUtf8(splitCompact(jws, what, MAX_SIGNED_BYTES).payloadBytes, `${what} payload`), `${what} payload`);
  if (!isJsonObject(payload)) throw new InvalidInputError(`${what}: payload is not a JSON object`);
  return payload;
}

/** A tree head as `seb audit head` writes it: its signed members in the clear, plus the JWS itself. */
export function treeHeadJson(jws: string): string {
  return canonicalize({ ...peekPayload(jws, 'tree head'), jws });
}

/** Read a kept tree head; the clear members must be exactly the signed ones, so no one is misled by an edit. */
export function readTrustedHead(path: string): string {
  const what = `trusted tree head ${path}`;
  const file = readJsonFile(path, what);
  if (!isJsonObject(file) || typeof file.jws !== 'string') throw new InvalidInputError(`${what}: expected the JSON that seb audit head prints`);
  const { jws, ...clear } = file;
  if (canonicalize(clear) !== canonicalize(peekPayload(jws, what))) throw new InvalidInputError(`${what}: its members differ from the signed tree head`);
  return jws;
}
