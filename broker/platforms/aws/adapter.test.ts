import { describe, expect, it } from 'vitest';
import { importsOf, loadedAtStart } from '../../../harness/fixtures/import-graph.js';
import { ConfigError, InvalidInputError } from '../../core/errors.js';
import { AwsAdapter, type AwsAdapterConfig } from './adapter.js';

const CONFIG: AwsAdapterConfig = {
  region: 'us-east-1',
  accountId: '123456789012',
  brokerCredentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' },
  executorRoleArn: 'arn:aws:iam::123456789012:role/seb-executor',
};

describe('AwsAdapter configuration', () => {
  it.each([
    ['aws.region', { region: 'moon-1' }],
    ['aws.accountId', { accountId: '1234' }],
    ['aws.executorRoleArn', { executorRoleArn: 'arn:aws:iam::210987654321:role/seb-executor' }],
    ['aws.executorRoleArn', { executorRoleArn: 'arn:aws:iam::123456789012:user/seb-executor' }],
  ])('fails at start naming %s', (setting, override) => {
    expect(() => new AwsAdapter({ ...CONFIG, ...override })).toThrow(ConfigError);
    expect(() => new AwsAdapter({ ...CONFIG, ...override })).toThrow(setting);
  });

  it('plans against its own account and region only', () => {
    const adapter = new AwsAdapter(CONFIG);
    try {
      const contract = { platform: 'aws' as const, target: { service: 'ssm', arn: 'arn:aws:ssm:us-east-1:123456789012:parameter/a' }, operation: 'ssm:PutParameter', parameters: { value: 'v' } };
      expect(adapter.plan(contract).arn).toBe(contract.target.arn);
      expect(() => adapter.plan({ ...contract, target: { service: 'ssm', arn: 'arn:aws:ssm:eu-west-1:123456789012:parameter/a' } })).toThrow(InvalidInputError);
    } finally {
      adapter.close();
    }
  });

  it('refuses to invoke with an identity it did not mint', async () => {
    const adapter = new AwsAdapter(CONFIG);
    try {
      const plan = adapter.plan({ platform: 'aws', target: { service: 'ssm', arn: 'arn:aws:ssm:us-east-1:123456789012:parameter/a' }, operation: 'ssm:PutParameter', parameters: { value: 'v' } });
      expect(() => adapter.invoke(plan, { platform: 'aws', principal: 'x', expiresAt: 0, handle: 'token' }, { state: null })).toThrow(TypeError);
    } finally {
      adapter.close();
    }
  });
});

describe('AwsAdapter loading', () => {
  it('a broker loads no AWS SDK package with its adapters: each service, STS and the credential providers are imported on first use', () => {
    const aws = [...loadedAtStart('broker/platforms/from-target.ts')].filter((m) => m.startsWith('@aws-sdk/') || m.startsWith('@smithy/'));
    expect(aws).toEqual([]);
    const dynamic = new Set(['broker/platforms/aws/clients.ts', 'broker/platforms/aws/credentials.ts'].flatMap((f) => importsOf(f).filter((i) => i.dynamic).map((i) => i.target)));
    expect([...dynamic].sort()).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/client-ec2', '@aws-sdk/client-s3', '@aws-sdk/client-ssm', '@aws-sdk/client-sts', '@aws-sdk/credential-provider-ini', '@aws-sdk/credential-provider-node']);
  });
});
