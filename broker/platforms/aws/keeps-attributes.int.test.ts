// A certified write changes what the contract names and nothing else, on a
// real moto: a SecureString stays a SecureString under its KMS key; an object
// keeps its headers, user metadata and SSE-KMS settings; an object with
// tags, which a PutObject would drop, is refused before anything is sent.
import { GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeParametersCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshState, issueFor, makeIssuer, requestBytes, type Issuer } from '../../../harness/sample-certificates.js';
import { startLocalAws, type LocalAws } from '../../../harness/targets/local/aws-target.js';
import type { Contract } from '../../core/certificate/contract.js';
import { verifyRequest } from '../../core/predicates/verify.js';
import type { AwsAdapter } from './adapter.js';
import { awsAdapterFor } from '../from-target.js';

let dir: string;
let aws: LocalAws;
let adapter: AwsAdapter;
let issuer: Issuer;
let s3: S3Client;
let ssm: SSMClient;
let n = 0;
const KMS_KEY = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-aws-keeps-'));
  aws = await startLocalAws(dir);
  const credentials = aws.info.credentials.admin;
  if (credentials === undefined) throw new Error('the local target has admin credentials');
  const o = { endpoint: aws.info.endpoint, region: aws.info.region, credentials, maxAttempts: 1 };
  s3 = new S3Client({ ...o, forcePathStyle: true });
  ssm = new SSMClient(o);
  adapter = awsAdapterFor(aws.info);
  issuer = await makeIssuer();
});
afterAll(async () => {
  adapter?.close();
  s3?.destroy();
  ssm?.destroy();
  await aws?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Certify `contract` against the live state now, then run it through the adapter as the broker does. */
async function execute(contract: Contract) {
  const plan = adapter.plan(contract);
  const live = await adapter.readLiveState(plan);
  const jwt = await issueFor(issuer, { contract, nowS: Math.floor(Date.now() / 1000), preState: live.state, ...(live.version === undefined ? {} : { preVersion: live.version }) });
  const verified = verifyRequest(requestBytes(jwt, contract), issuer.policy, freshState(Date.now()), Date.now());
  if (!verified.ok) throw new Error(`fixture certificate denied: ${verified.decision.reason}`);
  return adapter.invoke(plan, await adapter.mint(plan, verified.certificate.claims), live);
}

const objectContract = (key: string, body: string): Contract => ({
  platform: 'aws',
  target: { service: 's3', arn: `arn:aws:s3:::${aws.resources.bucket}/${key}` },
  operation: 's3:PutObject',
  parameters: { body },
});

describe('ssm:PutParameter', () => {
  it('keeps a SecureString a SecureString, under its KMS key', async () => {
    const name = `/seb/secret/k${++n}`;
    await ssm.send(new PutParameterCommand({ Name: name, Value: 'old-secret', Type: 'SecureString', KeyId: KMS_KEY }));
    const contract: Contract = {
      platform: 'aws',
      target: { service: 'ssm', arn: `arn:aws:ssm:${aws.info.region}:${aws.info.accountId}:parameter${name}` },
      operation: 'ssm:PutParameter',
      parameters: { value: 'new-secret' },
    };
    expect(await execute(contract)).toMatchObject({ status: 'succeeded' });
    const described = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [name] }] }));
    expect(described.Parameters?.[0]).toMatchObject({ Type: 'SecureString', KeyId: KMS_KEY });
    expect((await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter?.Value).toBe('new-secret');
  });
});

describe('s3:PutObject', () => {
  it('keeps the content type and other headers, user metadata and SSE-KMS settings', async () => {
    const key = `config/attrs-${++n}.json`;
    await s3.send(
      new PutObjectCommand({
        Bucket: aws.resources.bucket,
        Key: key,
        Body: '{}',
        ContentType: 'application/json',
        CacheControl: 'max-age=60',
        ContentDisposition: 'attachment',
        Metadata: { owner: 'team-a' },
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: KMS_KEY,
      }),
    );
    expect(await execute(objectContract(key, '{"on":true}'))).toMatchObject({ status: 'succeeded' });
    const head = await s3.send(new HeadObjectCommand({ Bucket: aws.resources.bucket, Key: key }));
    expect(head).toMatchObject({ ContentType: 'application/json', CacheControl: 'max-age=60', ContentDisposition: 'attachment', Metadata: { owner: 'team-a' }, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KMS_KEY });
    expect(await (await s3.send(new GetObjectCommand({ Bucket: aws.resources.bucket, Key: key }))).Body?.transformToString()).toBe('{"on":true}');
  });

  it('refuses an object with tags before writing, and leaves it and its tags as they were', async () => {
    const key = `config/tagged-${++n}.txt`;
    await s3.send(new PutObjectCommand({ Bucket: aws.resources.bucket, Key: key, Body: 'old', Tagging: 'team=a' }));
    const before = await s3.send(new HeadObjectCommand({ Bucket: aws.resources.bucket, Key: key }));
    expect(await execute(objectContract(key, 'new'))).toMatchObject({ status: 'failed', detail: expect.stringMatching(/refused before writing: .*1 tag/) });
    expect((await s3.send(new HeadObjectCommand({ Bucket: aws.resources.bucket, Key: key }))).ETag).toBe(before.ETag);
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: aws.resources.bucket, Key: key }))).TagSet).toEqual([{ Key: 'team', Value: 'a' }]);
  });
});
