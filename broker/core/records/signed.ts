// Opening a signed log object (a record entry or a tree head): a compact JWS
// whose header is exactly {alg, typ, kid}, whose signature verifies under the
// broker key named by kid, and whose payload is an object in its one JCS
// spelling. A failure is a value with a code, because the auditor reports it
// against a record rather than stopping on an exception.
import { isAllowedAlg } from '../crypto-params.js';
import { SebError } from '../errors.js';
import { canonicalize } from '../jcs.js';
import { splitCompact, verifySignature } from '../jws.js';
import type { KeySet } from '../keys.js';
import { decodeUtf8, isJsonObject, parseStrictJson, type JsonObject } from '../strict-json.js';

/** An entry or tree head is a few hundred bytes; the cap bounds what an auditor parses. */
export const MAX_SIGNED_BYTES = 16 * 1024;

export type SignedProblem = 'malformed' | 'unknown_key' | 'bad_signature' | 'not_canonical';

export type Opened = { readonly ok: true; readonly payload: JsonObject } | { readonly ok: false; readonly problem: SignedProblem; readonly message: string };

const HEADER_MEMBERS = ['alg', 'kid', 'typ'];

export function openSigned(jws: string, typ: string, keys: KeySet, what: string): Opened {
  const fail = (problem: SignedProblem, message: string): Opened => ({ ok: false, problem, message: `${what}: ${message}` });
  let parts;
  try {
    parts = splitCompact(jws, what, MAX_SIGNED_BYTES);
  } catch (error) {
    return fail('malformed', errorMessage(error));
  }
  const { header } = parts;
  if (Object.keys(header).sort().join() !== HEADER_MEMBERS.join() || header.typ !== typ || !isAllowedAlg(header.alg) || typeof header.kid !== 'string') {
    return fail('malformed', `header must be {alg, typ: ${typ}, kid}`);
  }
  const key = keys.get(header.kid);
  if (key === undefined) return fail('unknown_key', `kid ${JSON.stringify(header.kid)} is not a broker key`);
  if (key.alg !== header.alg || !verifySignature(key.alg, key.key, parts.signingInput, parts.signature)) {
    return fail('bad_signature', 'signature does not verify');
  }
  let text: string;
  let payload;
  try {
    text = decodeUtf8(parts.payloadBytes, `${what} payload`);
    payload = parseStrictJson(text, `${what} payload`);
  } catch (error) {
    return fail('malformed', errorMessage(error));
  }
  if (!isJsonObject(payload)) return fail('malformed', 'payload is not a JSON object');
  // One spelling per record: a signer cannot emit two byte strings for one content.
  if (canonicalize(payload) !== text) return fail('not_canonical', 'payload is not JCS canonical');
  return { ok: true, payload };
}

function errorMessage(error: unknown): string {
  if (error instanceof SebError) return error.message;
  throw error;
}
