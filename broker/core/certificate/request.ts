// The request an agent hands the broker: the certificate, the contract it
// wants executed, and a proof of possession when the certificate names a key.
import { InvalidInputError } from '../errors.js';
import { MAX_REQUEST_BYTES } from '../limits.js';
import { decodeUtf8, isJsonObject, parseStrictJson } from '../strict-json.js';
import { readContract, type Contract } from './contract.js';

export interface ExecutionRequest {
  readonly certificate: string;
  readonly contract: Contract;
  readonly proof?: string;
}

const MEMBERS = new Set(['certificate', 'contract', 'proof']);

export function readRequest(bytes: Uint8Array): ExecutionRequest {
  if (bytes.length > MAX_REQUEST_BYTES) throw new InvalidInputError(`request: larger than ${MAX_REQUEST_BYTES} bytes`);
  const v = parseStrictJson(decodeUtf8(bytes, 'request'), 'request');
  if (!isJsonObject(v)) throw new InvalidInputError('request: not a JSON object');
  for (const name of Object.keys(v)) {
    if (!MEMBERS.has(name)) throw new InvalidInputError(`request: unknown member ${JSON.stringify(name)}`);
  }
  if (typeof v.certificate !== 'string') throw new InvalidInputError('request: certificate must be a string');
  if (v.proof !== undefined && typeof v.proof !== 'string') throw new InvalidInputError('request: proof must be a string');
  const contract = readContract(v.contract, 'request: contract');
  return v.proof === undefined ? { certificate: v.certificate, contract } : { certificate: v.certificate, contract, proof: v.proof };
}
