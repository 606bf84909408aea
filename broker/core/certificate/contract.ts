// The execution contract: the one mutation a certificate authorizes. The core
// checks its shape; each platform adapter checks its own targets, operations
// and parameters against the adapter's allowlist.
import { InvalidInputError } from '../errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../strict-json.js';

export const PLATFORMS = ['kubernetes', 'aws'] as const;
export type PlatformName = (typeof PLATFORMS)[number];

export interface Contract extends JsonObject {
  platform: PlatformName;
  target: JsonObject;
  operation: string;
  parameters: JsonObject;
}

const MEMBERS = new Set(['platform', 'target', 'operation', 'parameters']);
const OPERATION = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

export function readContract(v: JsonValue | undefined, what: string): Contract {
  if (!isJsonObject(v)) throw new InvalidInputError(`${what}: must be an object`);
  for (const name of Object.keys(v)) {
    if (!MEMBERS.has(name)) throw new InvalidInputError(`${what}: unknown member ${JSON.stringify(name)}`);
  }
  const { platform, target, operation, parameters } = v;
  if (!(PLATFORMS as readonly JsonValue[]).includes(platform ?? null)) {
    throw new InvalidInputError(`${what}: platform must be one of ${PLATFORMS.join(', ')}`);
  }
  if (!isJsonObject(target)) throw new InvalidInputError(`${what}: target must be an object`);
  if (typeof operation !== 'string' || !OPERATION.test(operation)) throw new InvalidInputError(`${what}: operation must match ${OPERATION.source}`);
  if (!isJsonObject(parameters)) throw new InvalidInputError(`${what}: parameters must be an object`);
  return v as Contract;
}
