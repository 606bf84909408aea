// The certificate's claims (docs/design.md section 2.1) and the strict reading of them: every
// member on an allowlist, every value of the one type it may have. A claim set
// that fails here is `malformed`.
import { InvalidInputError } from '../errors.js';
import { MAX_JTI_LENGTH, MAX_USES } from '../limits.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../strict-json.js';
import { readContract, type Contract } from './contract.js';

export interface PreState {
  readonly digest: string;
  readonly version?: string;
}

export interface Confirmation {
  /** RFC 7638 SHA-256 thumbprint of the agent's public JWK, base64url. */
  readonly jkt: string;
}

export interface Claims {
  readonly iss: string;
  readonly aud: readonly string[];
  readonly sub: string;
  readonly jti: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly pep: number;
  readonly rep: number;
  readonly cdg: string;
  readonly contract: Contract;
  readonly pre?: PreState;
  readonly uses: number;
  readonly cnf?: Confirmation;
}

const CLAIMS = new Set(['iss', 'aud', 'sub', 'jti', 'iat', 'nbf', 'exp', 'pep', 'rep', 'cdg', 'contract', 'pre', 'uses', 'cnf']);
/** Ids are plain tokens: they become ledger keys, session names and log fields. */
export const JTI_PATTERN = new RegExp(`^[A-Za-z0-9._:-]{1,${MAX_JTI_LENGTH}}$`);
const DIGEST_PATTERN = /^[A-Za-z0-9_-]{43}$/; // base64url of 32 bytes
const IDENTIFIER = /^[\x21-\x7e]{1,256}$/; // printable ASCII, no spaces

export function readClaims(payload: JsonValue): Claims {
  if (!isJsonObject(payload)) throw new InvalidInputError('claims: not a JSON object');
  for (const name of Object.keys(payload)) {
    if (!CLAIMS.has(name)) throw new InvalidInputError(`claims: unknown claim ${JSON.stringify(name)}`);
  }
  const iat = numericDate(payload, 'iat');
  const nbf = payload.nbf === undefined ? iat : numericDate(payload, 'nbf');
  const exp = numericDate(payload, 'exp');
  if (nbf < iat || exp <= nbf) throw new InvalidInputError('claims: window must satisfy iat <= nbf < exp');
  const claims: Claims = {
    iss: identifier(payload, 'iss'),
    aud: audience(payload.aud),
    sub: identifier(payload, 'sub'),
    jti: matching(payload, 'jti', JTI_PATTERN),
    iat,
    nbf,
    exp,
    pep: numericDate(payload, 'pep'),
    rep: numericDate(payload, 'rep'),
    cdg: matching(payload, 'cdg', DIGEST_PATTERN),
    contract: readContract(payload.contract, 'claims: contract'),
    uses: payload.uses === undefined ? 1 : uses(payload.uses),
    ...(payload.pre === undefined ? {} : { pre: preState(payload.pre) }),
    ...(payload.cnf === undefined ? {} : { cnf: confirmation(payload.cnf) }),
  };
  return claims;
}

function numericDate(claims: JsonObject, name: string): number {
  const v = claims[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new InvalidInputError(`claims: ${name} must be a non-negative integer`);
  return v;
}

function identifier(claims: JsonObject, name: string): string {
  return matching(claims, name, IDENTIFIER);
}

function matching(claims: JsonObject, name: string, pattern: RegExp): string {
  const v = claims[name];
  if (typeof v !== 'string' || !pattern.test(v)) throw new InvalidInputError(`claims: ${name} must match ${pattern.source}`);
  return v;
}

function audience(v: JsonValue | undefined): readonly string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || list.length > 16 || !list.every((a) => typeof a === 'string' && IDENTIFIER.test(a))) {
    throw new InvalidInputError('claims: aud must be a string or a non-empty array of strings');
  }
  return list as string[];
}

function uses(v: JsonValue): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > MAX_USES) {
    throw new InvalidInputError(`claims: uses must be an integer from 1 to ${MAX_USES}`);
  }
  return v;
}

function preState(v: JsonValue): PreState {
  if (!isJsonObject(v)) throw new InvalidInputError('claims: pre must be an object');
  for (const name of Object.keys(v)) {
    if (name !== 'digest' && name !== 'version') throw new InvalidInputError(`claims: pre has unknown member ${JSON.stringify(name)}`);
  }
  const digest = matching(v, 'digest', DIGEST_PATTERN);
  if (v.version === undefined) return { digest };
  if (typeof v.version !== 'string' || v.version.length === 0 || v.version.length > 256) {
    throw new InvalidInputError('claims: pre.version must be a non-empty string');
  }
  return { digest, version: v.version };
}

function confirmation(v: JsonValue): Confirmation {
  if (!isJsonObject(v) || Object.keys(v).length !== 1) throw new InvalidInputError('claims: cnf must be {"jkt": thumbprint}');
  return { jkt: matching(v, 'jkt', DIGEST_PATTERN) };
}
