// A certificate read from its compact JWS: header checked against an
// allowlist of members, claims read strictly. Nothing here is trusted until
// the signature predicate has passed.
import { TYP_CERTIFICATE } from '../crypto-params.js';
import { InvalidInputError } from '../errors.js';
import { splitCompact } from '../jws.js';
import { MAX_CERTIFICATE_BYTES } from '../limits.js';
import { decodeUtf8, parseStrictJson } from '../strict-json.js';
import { readClaims, type Claims } from './claims.js';

export interface Certificate {
  readonly alg: string;
  readonly kid: string;
  readonly claims: Claims;
  readonly signingInput: string;
  readonly signature: Buffer;
}

// `jwk`, `jku`, `x5u`, `x5c`, `crit` and the rest are refused: a key carried
// in the token is never trusted, and no extension is understood.
const HEADER_MEMBERS = new Set(['alg', 'typ', 'kid']);

export function readCertificate(token: string): Certificate {
  const parts = splitCompact(token, 'certificate', MAX_CERTIFICATE_BYTES);
  const { header } = parts;
  for (const name of Object.keys(header)) {
    if (!HEADER_MEMBERS.has(name)) throw new InvalidInputError(`certificate header: member ${JSON.stringify(name)} is not allowed`);
  }
  if (header.typ !== TYP_CERTIFICATE) throw new InvalidInputError(`certificate header: typ must be ${TYP_CERTIFICATE}`);
  if (typeof header.alg !== 'string') throw new InvalidInputError('certificate header: alg must be a string');
  if (typeof header.kid !== 'string') throw new InvalidInputError('certificate header: kid must be a string');
  const claims = readClaims(parseStrictJson(decodeUtf8(parts.payloadBytes, 'certificate payload'), 'certificate payload'));
  return { alg: header.alg, kid: header.kid, claims, signingInput: parts.signingInput, signature: parts.signature };
}
