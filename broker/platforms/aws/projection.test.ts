import { describe, expect, it } from 'vitest';
import { jcsDigest } from '../../core/digest.js';
import { parameterRead, projectIngress, projectItem, projectObject, projectParameter } from './projection.js';

describe('live-state projections', () => {
  it('an S3 object: ETag and every attribute a PutObject would replace or drop, versioned by the ETag', () => {
    const head = { ETag: '"abc"', ContentType: 'text/plain', CacheControl: 'no-cache', Metadata: { b: '2', a: '1' }, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k', BucketKeyEnabled: true };
    expect(projectObject(head, 2)).toEqual({
      state: { exists: true, etag: '"abc"', headers: { CacheControl: 'no-cache', ContentType: 'text/plain' }, metadata: { a: '1', b: '2' }, encryption: 'aws:kms', kmsKeyId: head.SSEKMSKeyId, bucketKey: true, tags: 2 },
      version: '"abc"',
    });
    // Metadata, encryption or tags changed since the certificate are drift.
    expect(jcsDigest(projectObject({ ...head, Metadata: { a: '1' } }, 2).state)).not.toBe(jcsDigest(projectObject(head, 2).state));
    expect(jcsDigest(projectObject({ ...head, ServerSideEncryption: 'AES256' }, 2).state)).not.toBe(jcsDigest(projectObject(head, 2).state));
    expect(jcsDigest(projectObject(head, 0).state)).not.toBe(jcsDigest(projectObject(head, 2).state));
    expect(projectObject(undefined, 0)).toEqual({ state: { exists: false } });
  });

  it('an SSM parameter: type, value, KMS key, tier and data type; its Version reported', () => {
    expect(projectParameter({ Type: 'SecureString', Value: 'cipher', Version: 3, KeyId: 'alias/app', Tier: 'Standard', DataType: 'text' })).toEqual({
      state: { exists: true, type: 'SecureString', value: 'cipher', keyId: 'alias/app', tier: 'Standard', dataType: 'text' },
      version: '3',
    });
    expect(projectParameter({ Type: 'String', Value: 'on' }).state).toEqual({ exists: true, type: 'String', value: 'on', keyId: null, tier: null, dataType: null });
    expect(projectParameter(undefined)).toEqual({ state: { exists: false } });
  });

  it('an SSM parameter read in two calls at once: metadata completes the value only when both saw the same version', () => {
    const got = { Type: 'SecureString', Value: 'cipher', Version: 3, DataType: 'text' };
    expect(parameterRead(got, { Version: 3, KeyId: 'alias/app', Tier: 'Advanced', DataType: 'text' })).toEqual({ ...got, KeyId: 'alias/app', Tier: 'Advanced' });
    expect(parameterRead({ Type: 'String', Value: 'on', Version: 1 }, { Version: 1 })).toEqual({ Type: 'String', Value: 'on', Version: 1 });
    // Written between the two reads: the value of one version with the key or tier of another is no state at all.
    expect(() => parameterRead(got, { Version: 4, KeyId: 'alias/other' })).toThrow(/changed while it was read/);
    expect(() => parameterRead(got, { KeyId: 'alias/app' })).toThrow(/changed while it was read/);
    expect(() => parameterRead({ Type: 'String', Value: 'on' }, { Version: 1 })).toThrow(/changed while it was read/);
  });

  it('security group ingress: one entry per source, independent of how EC2 groups and orders them', () => {
    const a = projectIngress([
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/8' }, { CidrIp: '192.168.0.0/16' }] },
      { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: 'sg-1' }] },
    ]);
    const b = projectIngress([
      { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: 'sg-1' }] },
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '192.168.0.0/16' }] },
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
    ]);
    expect(a).toEqual({ state: { ingress: ['-1:all:sg-1', 'tcp:443-443:10.0.0.0/8', 'tcp:443-443:192.168.0.0/16'] } });
    expect(jcsDigest(b.state)).toBe(jcsDigest(a.state));
    expect(a.version).toBeUndefined();
  });

  it('a DynamoDB item: only the attributes the update sets, typed; versioned by its version attribute', () => {
    const item = { id: { S: 'config' }, mode: { S: 'on' }, replicas: { N: '2' }, other: { S: 'not covered' }, version: { N: '4' } };
    expect(projectItem(item, ['replicas', 'mode', 'missing'])).toEqual({
      state: { exists: true, attributes: { missing: null, mode: { S: 'on' }, replicas: { N: '2' } } },
      version: '4',
    });
    expect(projectItem(undefined, ['mode'])).toEqual({ state: { exists: false } });
    expect(projectItem({ mode: { S: 'on' } }, ['mode']).version).toBeUndefined();
  });

  it('a DynamoDB item it cannot compare fails the read (and so the drift check)', () => {
    expect(() => projectItem({ mode: { L: [] } }, ['mode'])).toThrow(/not a scalar/);
    expect(() => projectItem({ version: { N: '1.5' } }, ['mode'])).toThrow(/not a non-negative integer/);
  });
});
