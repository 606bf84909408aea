// The object and parameter writes change what the contract names and keep
// the rest of the live target, or are refused before anything is sent.
import { describe, expect, it } from 'vitest';
import { planAws, type AwsPlan } from './operations.js';
import { projectObject, projectParameter } from './projection.js';
import { OBJECT_CONTENT_TYPE, putObjectInput, putParameterInput } from './write-inputs.js';

const ACCOUNT = '123456789012';
const scope = { partition: 'aws', region: 'us-east-1', accountId: ACCOUNT };
const objectPlan = planAws({ platform: 'aws', target: { service: 's3', arn: 'arn:aws:s3:::bucket/app/flag' }, operation: 's3:PutObject', parameters: { body: 'new' } }, scope) as Extract<AwsPlan, { action: 's3:PutObject' }>;
const parameterPlan = planAws(
  { platform: 'aws', target: { service: 'ssm', arn: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/app/secret` }, operation: 'ssm:PutParameter', parameters: { value: 'new' } },
  scope,
) as Extract<AwsPlan, { action: 'ssm:PutParameter' }>;
const KMS_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0000`;

describe('putObjectInput', () => {
  it('creates an absent object as text, only if it is still absent', () => {
    expect(putObjectInput(objectPlan, projectObject(undefined, 0), ACCOUNT)).toEqual({
      input: { Bucket: 'bucket', Key: 'app/flag', Body: 'new', ExpectedBucketOwner: ACCOUNT, ContentType: OBJECT_CONTENT_TYPE, IfNoneMatch: '*' },
    });
  });

  it('keeps the headers, user metadata and SSE-KMS settings of the object it replaces', () => {
    const live = projectObject({ ETag: '"e"', ContentType: 'application/json', CacheControl: 'max-age=60', StorageClass: 'STANDARD_IA', Metadata: { owner: 'team-a' }, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KMS_KEY, BucketKeyEnabled: true }, 0);
    expect(putObjectInput(objectPlan, live, ACCOUNT)).toEqual({
      input: {
        Bucket: 'bucket',
        Key: 'app/flag',
        Body: 'new',
        ExpectedBucketOwner: ACCOUNT,
        IfMatch: '"e"',
        ContentType: 'application/json',
        CacheControl: 'max-age=60',
        StorageClass: 'STANDARD_IA',
        Metadata: { owner: 'team-a' },
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: KMS_KEY,
        BucketKeyEnabled: true,
      },
    });
  });

  it('refuses an object with tags, which a PutObject would drop', () => {
    expect(putObjectInput(objectPlan, projectObject({ ETag: '"e"' }, 1), ACCOUNT)).toEqual({ refused: expect.stringMatching(/1 tag\(s\), which a PutObject would drop/) });
  });

  it('refuses encryption it cannot carry, and a state it did not project', () => {
    expect(putObjectInput(objectPlan, projectObject({ ETag: '"e"', ServerSideEncryption: 'SSE-C' }, 0), ACCOUNT)).toHaveProperty('refused');
    expect(putObjectInput(objectPlan, { state: { exists: true }, version: '"e"' }, ACCOUNT)).toHaveProperty('refused');
    expect(putObjectInput(objectPlan, { state: 'x' }, ACCOUNT)).toHaveProperty('refused');
  });
});

describe('putParameterInput', () => {
  it('creates an absent parameter as a String, only if it is still absent', () => {
    expect(putParameterInput(parameterPlan, projectParameter(undefined))).toEqual({ input: { Name: '/app/secret', Value: 'new', Type: 'String', Overwrite: false } });
  });

  it('keeps a SecureString a SecureString, under its KMS key, tier and data type', () => {
    const live = projectParameter({ Type: 'SecureString', Value: 'cipher', Version: 2, KeyId: 'alias/app', Tier: 'Advanced', DataType: 'text' });
    expect(putParameterInput(parameterPlan, live)).toEqual({
      input: { Name: '/app/secret', Value: 'new', Type: 'SecureString', Overwrite: true, KeyId: 'alias/app', Tier: 'Advanced', DataType: 'text' },
    });
  });

  it('keeps a StringList a StringList', () => {
    expect(putParameterInput(parameterPlan, projectParameter({ Type: 'StringList', Value: 'a,b', Version: 1 }))).toEqual({
      input: { Name: '/app/secret', Value: 'new', Type: 'StringList', Overwrite: true },
    });
  });

  it('refuses a SecureString whose key it does not know, and a type it does not know', () => {
    expect(putParameterInput(parameterPlan, projectParameter({ Type: 'SecureString', Value: 'cipher', Version: 2 }))).toEqual({ refused: expect.stringMatching(/names no KMS key/) });
    expect(putParameterInput(parameterPlan, projectParameter({ Type: 'Other', Value: 'x', Version: 2 }))).toHaveProperty('refused');
  });
});
