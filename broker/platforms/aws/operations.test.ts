// The allowlist and the strict reading of ARNs: every contract either plans
// to exactly one mutation on exactly one resource of the configured account,
// or is refused as invalid input.
import { describe, expect, it } from 'vitest';
import type { Contract } from '../../core/certificate/contract.js';
import { InvalidInputError } from '../../core/errors.js';
import type { JsonObject } from '../../core/strict-json.js';
import { parseTargetArn, partitionOf, targetArn } from './arn.js';
import { planAws } from './operations.js';

const scope = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' };
const SSM = 'arn:aws:ssm:us-east-1:123456789012:parameter/app/flag';
const S3 = 'arn:aws:s3:::seb-target/config/app.txt';
const EC2 = 'arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0';
const DDB = 'arn:aws:dynamodb:us-east-1:123456789012:table/seb-target';

function contract(service: string, arn: string, operation: string, parameters: JsonObject): Contract {
  return { platform: 'aws', target: { service, arn }, operation, parameters };
}

const VALID: readonly Contract[] = [
  contract('s3', S3, 's3:PutObject', { body: 'hello\n' }),
  contract('ssm', SSM, 'ssm:PutParameter', { value: 'on' }),
  contract('ec2', EC2, 'ec2:AuthorizeSecurityGroupIngress', { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '10.0.0.0/24' }),
  contract('dynamodb', DDB, 'dynamodb:UpdateItem', { key: { id: 'config' }, set: { mode: 'on', replicas: 3, enabled: true } }),
];

function refused(c: Contract): string {
  try {
    planAws(c, scope);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return (e as Error).message;
  }
  throw new Error(`planned: ${JSON.stringify(c)}`);
}

describe('planAws', () => {
  it('plans each kind to its action, canonical ARN and call parameters', () => {
    const [s3, ssm, ec2, ddb] = VALID.map((c) => planAws(c, scope));
    expect(s3).toMatchObject({ action: 's3:PutObject', arn: S3, bucket: 'seb-target', key: 'config/app.txt', body: 'hello\n', shape: `aws:s3:PutObject:${S3}` });
    expect(ssm).toMatchObject({ action: 'ssm:PutParameter', arn: SSM, name: '/app/flag', value: 'on' });
    expect(ec2).toMatchObject({ groupId: 'sg-0123456789abcdef0', rule: { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '10.0.0.0/24' } });
    expect(ddb).toMatchObject({ table: 'seb-target', key: { id: 'config' }, set: { mode: 'on', replicas: 3, enabled: true } });
  });

  it.each([
    ['an operation off the allowlist', contract('ssm', SSM, 'ssm:DeleteParameter', { value: 'on' }), /operation must be one of/],
    ['an operation of another service', contract('ssm', SSM, 's3:PutObject', { value: 'on' }), /does not act on ssm/],
    ['a service that differs from the ARN', contract('s3', SSM, 'ssm:PutParameter', { value: 'on' }), /differs from the ARN/],
    ['an unknown service', contract('iam', 'arn:aws:iam::123456789012:role/x', 'iam:PassRole', {}), /service must be one of/],
    ['an extra target member', { ...VALID[1], target: { service: 'ssm', arn: SSM, region: 'eu-west-1' } } as Contract, /unknown member "region"/],
    ['an extra parameter', contract('ssm', SSM, 'ssm:PutParameter', { value: 'on', type: 'SecureString' }), /unknown member "type"/],
    ['a missing parameter', contract('s3', S3, 's3:PutObject', {}), /body is required/],
    ['an empty parameter value', contract('ssm', SSM, 'ssm:PutParameter', { value: '' }), /must not be empty/],
    ['an oversized body', contract('s3', S3, 's3:PutObject', { body: 'x'.repeat(64 * 1024 + 1) }), /at most 65536 bytes/],
    ['another protocol', contract('ec2', EC2, 'ec2:AuthorizeSecurityGroupIngress', { protocol: '-1', fromPort: 0, toPort: 0, cidr: '10.0.0.0/24' }), /tcp or udp/],
    ['a reversed port range', contract('ec2', EC2, 'ec2:AuthorizeSecurityGroupIngress', { protocol: 'tcp', fromPort: 443, toPort: 80, cidr: '10.0.0.0/24' }), /toPort/],
    ['a CIDR with host bits', contract('ec2', EC2, 'ec2:AuthorizeSecurityGroupIngress', { protocol: 'tcp', fromPort: 1, toPort: 1, cidr: '10.0.0.1/24' }), /canonical/],
    ['a CIDR with leading zeros', contract('ec2', EC2, 'ec2:AuthorizeSecurityGroupIngress', { protocol: 'tcp', fromPort: 1, toPort: 1, cidr: '10.0.00.0/24' }), /canonical/],
    ['an IPv6 CIDR', contract('ec2', EC2, 'ec2:AuthorizeSecurityGroupIngress', { protocol: 'tcp', fromPort: 1, toPort: 1, cidr: '::/0' }), /canonical/],
    ['a write to the version', contract('dynamodb', DDB, 'dynamodb:UpdateItem', { key: { id: 'x' }, set: { version: 9 } }), /may not write the key or version/],
    ['a write to the key', contract('dynamodb', DDB, 'dynamodb:UpdateItem', { key: { id: 'x' }, set: { id: 'y' } }), /may not write the key/],
    ['a non-integer number', contract('dynamodb', DDB, 'dynamodb:UpdateItem', { key: { id: 'x' }, set: { ratio: 0.5 } }), /safe integer/],
    ['a nested value', contract('dynamodb', DDB, 'dynamodb:UpdateItem', { key: { id: 'x' }, set: { m: { a: 1 } } }), /safe integer/],
    ['an expression in a name', contract('dynamodb', DDB, 'dynamodb:UpdateItem', { key: { id: 'x' }, set: { 'a = :b, c': 1 } }), /attribute names/],
    ['three key attributes', contract('dynamodb', DDB, 'dynamodb:UpdateItem', { key: { a: 'x', b: 'y', c: 'z' }, set: { m: 1 } }), /one or two/],
  ])('refuses %s', (_, c, message) => {
    expect(refused(c)).toMatch(message);
  });
});

describe('parseTargetArn', () => {
  it.each([S3, SSM, EC2, DDB, 'arn:aws:ssm:us-east-1:123456789012:parameter/a', 'arn:aws:s3:::b-1/k'])('round-trips %s', (arn) => {
    expect(targetArn(parseTargetArn(arn, scope), scope)).toBe(arn);
  });

  it('maps an SSM ARN to the one name with a leading slash', () => {
    expect(parseTargetArn(SSM, scope)).toEqual({ service: 'ssm', name: '/app/flag' });
  });

  it.each([
    ['another partition', 'arn:aws-cn:ssm:us-east-1:123456789012:parameter/app/flag'],
    ['another region', 'arn:aws:ssm:eu-west-1:123456789012:parameter/app/flag'],
    ['another account', 'arn:aws:ssm:us-east-1:210987654321:parameter/app/flag'],
    ['an S3 ARN with a region', 'arn:aws:s3:us-east-1::seb-target/k'],
    ['an S3 bucket, not an object', 'arn:aws:s3:::seb-target'],
    ['a wildcard key', 'arn:aws:s3:::seb-target/*'],
    ['a policy variable', 'arn:aws:s3:::seb-target/${aws:username}'],
    ['a wildcard parameter', 'arn:aws:ssm:us-east-1:123456789012:parameter/app/*'],
    ['a ?-wildcard', 'arn:aws:dynamodb:us-east-1:123456789012:table/seb-targe?'],
    ['a dot segment', 'arn:aws:s3:::seb-target/a/../b'],
    ['an empty segment', 'arn:aws:ssm:us-east-1:123456789012:parameter/app//flag'],
    ['a reserved parameter', 'arn:aws:ssm:us-east-1:123456789012:parameter/aws/service/x'],
    ['a bucket with dots', 'arn:aws:s3:::seb.target/k'],
    ['a table index', 'arn:aws:dynamodb:us-east-1:123456789012:table/seb-target/index/i'],
    ['a malformed group id', 'arn:aws:ec2:us-east-1:123456789012:security-group/sg-XYZ'],
    ['another resource type', 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0'],
    ['extra colons', 'arn:aws:ssm:us-east-1:123456789012:parameter/app:flag'],
    ['no arn prefix', 'aws:ssm:us-east-1:123456789012:parameter/app/flag'],
  ])('refuses %s', (_, arn) => {
    expect(() => parseTargetArn(arn, scope)).toThrow(InvalidInputError);
  });

  it('knows the partitions', () => {
    expect([partitionOf('us-east-1'), partitionOf('cn-north-1'), partitionOf('us-gov-west-1')]).toEqual(['aws', 'aws-cn', 'aws-us-gov']);
  });
});
