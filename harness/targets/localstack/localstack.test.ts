import { describe, expect, it } from 'vitest';
import { servedBy } from '../../bench/paper.js';
import type { LoadedScenario } from '../../scenario/load.js';
import { LOCALSTACK_BYPASS_NOT_APPLICABLE, LOCALSTACK_KINDS, localstackEnv } from './localstack.js';

describe('LocalStack as a process', () => {
  it('listens on loopback only, with hypercorn, no DNS, no downloads, its own filesystem root', () => {
    const env = localstackEnv(4599, '/tmp/ls/fs', { PATH: '/bin', GATEWAY_LISTEN: '0.0.0.0:4566' });
    expect(env).toMatchObject({
      PATH: '/bin',
      OVERRIDE_IN_DOCKER: '0',
      GATEWAY_LISTEN: '127.0.0.1:4599',
      GATEWAY_SERVER: 'hypercorn',
      DNS_ADDRESS: '0',
      SKIP_SSL_CERT_DOWNLOAD: '1',
      DISABLE_EVENTS: '1',
      FILESYSTEM_ROOT: '/tmp/ls/fs',
    });
  });

  it('serves no DynamoDB kind, and reports the bypass check as not applicable, never as passed', () => {
    expect(LOCALSTACK_KINDS).not.toContain('dynamodb-update-item');
    expect(LOCALSTACK_BYPASS_NOT_APPLICABLE).toMatch(/^not applicable: .*does not enforce IAM/);
  });
});

describe('servedBy', () => {
  const scenario = (name: string, mutations: string[]) => ({ scenario: { name, mutations } }) as unknown as LoadedScenario;

  it('leaves out the kinds a target does not serve, skips a scenario left with none, and says so', () => {
    const lines: string[] = [];
    const kept = servedBy([scenario('a', ['ssm-put-parameter', 'dynamodb-update-item']), scenario('b', ['dynamodb-update-item'])], ['ssm-put-parameter'], (l) => lines.push(l));
    expect(kept.map((l) => [l.scenario.name, l.scenario.mutations])).toEqual([['a', ['ssm-put-parameter']]]);
    expect(lines).toEqual(['a: this target does not serve dynamodb-update-item; left out', 'b: this target does not serve dynamodb-update-item; scenario skipped']);
  });

  it('keeps everything when the target serves every kind', () => {
    const all = [scenario('a', ['ssm-put-parameter', 'dynamodb-update-item'])];
    expect(servedBy(all, undefined, () => {})).toEqual(all);
  });
});
