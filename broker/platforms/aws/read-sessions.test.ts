import type { STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { planAws } from './operations.js';
import { ReadSessions } from './read-sessions.js';

const scope = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' };
const ROLE = 'arn:aws:iam::123456789012:role/seb-executor';
const plan = (name: string) =>
  planAws({ platform: 'aws', target: { service: 'ssm', arn: `arn:aws:ssm:us-east-1:123456789012:parameter/${name}` }, operation: 'ssm:PutParameter', parameters: { value: 'v' } }, scope);

/** An STS double: each AssumeRole returns fresh keys valid 15 minutes from `now`, or fails while `failing`. */
function stsDouble(clock: { now: number }) {
  const calls: { RoleSessionName: string; Policy: string; SourceIdentity?: string }[] = [];
  let failing = false;
  const sts = {
    send: async (command: { input: { RoleSessionName: string; Policy: string } }) => {
      calls.push(command.input);
      if (failing) throw new Error('sts down');
      const n = calls.length;
      return {
        Credentials: { AccessKeyId: `ASIA${n}`, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(clock.now + 900_000) },
        AssumedRoleUser: { Arn: `arn:aws:sts::123456789012:assumed-role/seb-executor/${command.input.RoleSessionName}` },
      };
    },
  };
  return { sts: sts as unknown as STSClient, calls, fail: (f: boolean) => (failing = f) };
}

describe('ReadSessions', () => {
  it('assumes once per target with the read policy, shares concurrent first reads, reuses until near expiry', async () => {
    const clock = { now: 1_000_000 };
    const double = stsDouble(clock);
    const reads = new ReadSessions(async () => double.sts, ROLE, () => clock.now);
    const [a, b] = await Promise.all([reads.credentialsFor(plan('a')), reads.credentialsFor(plan('a'))]);
    expect(a).toBe(b);
    expect(double.calls).toHaveLength(1);
    expect(JSON.parse(double.calls[0]?.Policy ?? '')).toMatchObject({ Statement: [{ Action: 'ssm:GetParameter', Resource: 'arn:aws:ssm:us-east-1:123456789012:parameter/a' }, { Action: 'ssm:DescribeParameters', Resource: '*' }] });
    expect(double.calls[0]?.RoleSessionName).toMatch(/^seb-read\.[0-9a-f]{32}$/);

    expect((await reads.credentialsFor(plan('b'))).accessKeyId).toBe('ASIA2');
    clock.now += 9 * 60_000;
    expect((await reads.credentialsFor(plan('a'))).accessKeyId).toBe('ASIA1');
    clock.now += 2 * 60_000; // within 5 minutes of expiry: renewed
    expect((await reads.credentialsFor(plan('a'))).accessKeyId).toBe('ASIA3');
  });

  it('does not remember a failed AssumeRole', async () => {
    const clock = { now: 0 };
    const double = stsDouble(clock);
    const reads = new ReadSessions(async () => double.sts, ROLE, () => clock.now);
    double.fail(true);
    await expect(reads.credentialsFor(plan('a'))).rejects.toThrow('sts down');
    double.fail(false);
    expect((await reads.credentialsFor(plan('a'))).accessKeyId).toBe('ASIA2');
  });
});
