// The PutObject and PutParameter a plan sends. Pure. Both calls replace the
// whole resource, so a certified mutation that names only the content would
// otherwise also change what it does not name: a SecureString would become
// plaintext, an object would lose its metadata, its encryption and its tags.
// What the call can carry is copied from the live state the drift check
// certified (the write is conditioned on that state where the service can
// condition it: S3 If-Match); what it cannot carry is refused before the call.
//
// A refusal is an outcome, not a denial at planning: the contract is well
// formed and only the live target shows the loss. It is returned before
// anything is sent, so the outcome is `failed` (reason invoke_failed) with the
// attribute named, and the target is untouched.
import type { PutObjectCommandInput } from '@aws-sdk/client-s3';
import type { PutParameterCommandInput } from '@aws-sdk/client-ssm';
import type { LiveState } from '../../core/predicates/drift.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/strict-json.js';
import type { AwsPlan } from './operations.js';
import { OBJECT_HEADERS, type ObjectHeader } from './projection.js';

/** The content type of an object the broker creates. */
export const OBJECT_CONTENT_TYPE = 'text/plain; charset=utf-8';

type ObjectPlan = Extract<AwsPlan, { action: 's3:PutObject' }>;
type ParameterPlan = Extract<AwsPlan, { action: 'ssm:PutParameter' }>;

export type WriteInput<T> = { readonly input: T } | { readonly refused: string };

const SSE = new Set(['AES256', 'aws:kms', 'aws:kms:dsse']);
const PARAMETER_TYPES = new Set(['String', 'StringList', 'SecureString']);
const TIERS = new Set(['Standard', 'Advanced', 'Intelligent-Tiering']);

export function putObjectInput(plan: ObjectPlan, live: LiveState, accountId: string): WriteInput<PutObjectCommandInput> {
  const target = { Bucket: plan.bucket, Key: plan.key, Body: plan.body, ExpectedBucketOwner: accountId };
  const state = existing(live);
  if (state === undefined) return { input: { ...target, ContentType: OBJECT_CONTENT_TYPE, IfNoneMatch: '*' } };
  if (typeof state === 'string') return { refused: state };
  if (live.version === undefined) return { refused: 'the live object has no ETag to condition the write on' };
  const tags = state.tags;
  if (typeof tags !== 'number') return { refused: 'the live object has no tag count: it cannot be written without risking its tags' };
  if (tags > 0) return { refused: `the live object has ${tags} tag(s), which a PutObject would drop; the contract does not name them` };
  const encryption = optionalString(state.encryption);
  if (encryption === false || (encryption !== undefined && !SSE.has(encryption))) {
    return { refused: `the live object's encryption ${JSON.stringify(state.encryption)} cannot be carried by a PutObject` };
  }
  const metadata = stringMap(state.metadata);
  const headers = stringMap(state.headers);
  const kmsKeyId = optionalString(state.kmsKeyId);
  const bucketKey = state.bucketKey;
  if (metadata === undefined || headers === undefined || kmsKeyId === false || (bucketKey !== null && typeof bucketKey !== 'boolean')) {
    return { refused: 'the live object state is not the projection this adapter writes' };
  }
  const carried: Partial<Record<ObjectHeader, string>> = {};
  for (const name of OBJECT_HEADERS) if (headers[name] !== undefined) carried[name] = headers[name];
  return {
    input: {
      ...target,
      IfMatch: live.version,
      Metadata: metadata,
      ...(carried as Pick<PutObjectCommandInput, ObjectHeader>),
      ...(encryption === undefined ? {} : { ServerSideEncryption: encryption as PutObjectCommandInput['ServerSideEncryption'] }),
      ...(kmsKeyId === undefined ? {} : { SSEKMSKeyId: kmsKeyId }),
      ...(typeof bucketKey === 'boolean' ? { BucketKeyEnabled: bucketKey } : {}),
    },
  };
}

export function putParameterInput(plan: ParameterPlan, live: LiveState): WriteInput<PutParameterCommandInput> {
  const target = { Name: plan.name, Value: plan.value };
  const state = existing(live);
  // Created as plain String: a contract that wants a secret has to name it (not served yet).
  if (state === undefined) return { input: { ...target, Type: 'String', Overwrite: false } };
  if (typeof state === 'string') return { refused: state };
  const type = optionalString(state.type);
  const keyId = optionalString(state.keyId);
  const tier = optionalString(state.tier);
  const dataType = optionalString(state.dataType);
  if (type === undefined || type === false || !PARAMETER_TYPES.has(type)) return { refused: `the live parameter's type ${JSON.stringify(state.type)} is not one this adapter keeps` };
  if (keyId === false || tier === false || dataType === false || (tier !== undefined && !TIERS.has(tier))) {
    return { refused: 'the live parameter state is not the projection this adapter writes' };
  }
  if (type === 'SecureString' && keyId === undefined) return { refused: 'the live SecureString names no KMS key: writing it would change its key' };
  return {
    input: {
      ...target,
      Type: type as PutParameterCommandInput['Type'],
      Overwrite: true,
      ...(type === 'SecureString' ? { KeyId: keyId } : {}),
      ...(tier === undefined ? {} : { Tier: tier as PutParameterCommandInput['Tier'] }),
      ...(dataType === undefined ? {} : { DataType: dataType }),
    },
  };
}

/** The live state of a resource that exists, undefined for one that does not, or why it cannot be read as either. */
function existing(live: LiveState): JsonObject | undefined | string {
  const state = live.state;
  if (!isJsonObject(state) || typeof state.exists !== 'boolean') return 'the live state is not the projection this adapter writes';
  return state.exists ? state : undefined;
}

/** A string, undefined for null, or false for anything else. */
function optionalString(v: JsonValue | undefined): string | undefined | false {
  if (v === null) return undefined;
  return typeof v === 'string' ? v : false;
}

function stringMap(v: JsonValue | undefined): Record<string, string> | undefined {
  if (!isJsonObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(v)) {
    if (typeof value !== 'string') return undefined;
    out[name] = value;
  }
  return out;
}
