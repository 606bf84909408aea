// Reconciliation's question to the AWS adapter: does the live projection show
// the certified mutation? No request is made: matchesIntent only compares.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Contract } from '../../core/certificate/contract.js';
import type { LiveState } from '../../core/predicates/drift.js';
import { AwsAdapter } from './adapter.js';
import { projectIngress, projectItem, projectObject, projectParameter } from './projection.js';

const ACCOUNT = '123456789012';
const adapter = new AwsAdapter({ region: 'us-east-1', accountId: ACCOUNT, brokerCredentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's' }, executorRoleArn: `arn:aws:iam::${ACCOUNT}:role/seb-executor` });
const regional = (service: string) => `arn:aws:${service}:us-east-1:${ACCOUNT}`;
const etag = (body: string) => `"${createHash('md5').update(body).digest('hex')}"`;

const cases: [string, Contract, LiveState, LiveState[]][] = [
  [
    's3:PutObject',
    { platform: 'aws', target: { service: 's3', arn: 'arn:aws:s3:::bucket/flag' }, operation: 's3:PutObject', parameters: { body: 'on\n' } },
    projectObject({ ETag: etag('on\n'), ServerSideEncryption: 'AES256' }, 0),
    [projectObject({ ETag: etag('off\n') }, 0), projectObject(undefined, 0), projectObject({ ETag: etag('on\n'), ServerSideEncryption: 'aws:kms' }, 0)],
  ],
  [
    'ssm:PutParameter',
    { platform: 'aws', target: { service: 'ssm', arn: `${regional('ssm')}:parameter/app/flag` }, operation: 'ssm:PutParameter', parameters: { value: 'on' } },
    projectParameter({ Type: 'String', Value: 'on', Version: 2 }),
    [projectParameter({ Type: 'String', Value: 'off', Version: 1 }), projectParameter(undefined), projectParameter({ Type: 'SecureString', Value: 'on', Version: 2, KeyId: 'k' })],
  ],
  [
    'ec2:AuthorizeSecurityGroupIngress',
    {
      platform: 'aws',
      target: { service: 'ec2', arn: `${regional('ec2')}:security-group/sg-0123456789abcdef0` },
      operation: 'ec2:AuthorizeSecurityGroupIngress',
      parameters: { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '10.0.0.0/8' },
    },
    projectIngress([{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/8' }, { CidrIp: '192.168.0.0/16' }] }]),
    [projectIngress([{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '192.168.0.0/16' }] }]), projectIngress([])],
  ],
  [
    'dynamodb:UpdateItem',
    { platform: 'aws', target: { service: 'dynamodb', arn: `${regional('dynamodb')}:table/settings` }, operation: 'dynamodb:UpdateItem', parameters: { key: { id: 'k' }, set: { mode: 'on', replicas: 3 } } },
    projectItem({ id: { S: 'k' }, mode: { S: 'on' }, replicas: { N: '3' }, version: { N: '2' } }, ['mode', 'replicas']),
    [projectItem({ id: { S: 'k' }, mode: { S: 'on' }, replicas: { N: '2' }, version: { N: '1' } }, ['mode', 'replicas']), projectItem(undefined, ['mode']), projectItem({ mode: { S: 'on' } }, ['mode', 'replicas'])],
  ],
];

describe('AwsAdapter.matchesIntent', () => {
  it.each(cases)('%s: true for the intended state, false for the pre-state and for what it cannot tell', (_, contract, intended, others) => {
    const plan = adapter.plan(contract);
    expect(adapter.matchesIntent(plan, intended)).toBe(true);
    for (const other of others) expect(adapter.matchesIntent(plan, other)).toBe(false);
  });
});
