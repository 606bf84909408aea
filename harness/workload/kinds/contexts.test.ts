import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../broker/core/errors.js';
import type { AwsTarget } from '../../../broker/platforms/target-info.js';
import { kindContexts } from './contexts.js';

const aws: AwsTarget = { endpoint: 'http://127.0.0.1:1', region: 'us-east-1', accountId: '123456789012', executorRoleArn: 'arn:aws:iam::123456789012:role/seb-executor' };

describe('kindContexts', () => {
  it('refuses an AWS target without a standing admin credential, naming the setting', () => {
    for (const credentials of [undefined, {}, { broker: { profile: 'seb-broker' } }]) {
      expect(() => kindContexts({ name: 'acct', aws: { ...aws, ...(credentials === undefined ? {} : { credentials }) } })).toThrow(ConfigError);
      expect(() => kindContexts({ name: 'acct', aws: { ...aws, ...(credentials === undefined ? {} : { credentials }) } })).toThrow('aws.credentials.admin');
    }
  });

  it('makes the admin client and the broker\'s reader for each platform the target has, and closes them', () => {
    const contexts = kindContexts({ name: 'acct', aws: { ...aws, credentials: { admin: { accessKeyId: 'AKIDADMIN', secretAccessKey: 'x'.repeat(40) } } } });
    expect(contexts.kubernetes).toBeUndefined();
    expect(contexts.aws?.reader.plan).toBeTypeOf('function');
    expect(() => contexts.close()).not.toThrow();
  });
});
