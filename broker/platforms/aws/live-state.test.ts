import { describe, expect, it } from 'vitest';
import type { ServiceClients } from './clients.js';
import { readLiveState } from './live-state.js';
import { planAws } from './operations.js';

const scope = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' };
const objectPlan = planAws({ platform: 'aws', target: { service: 's3', arn: 'arn:aws:s3:::bucket/key' }, operation: 's3:PutObject', parameters: { body: 'b' } }, scope);
const parameterPlan = planAws({ platform: 'aws', target: { service: 'ssm', arn: 'arn:aws:ssm:us-east-1:123456789012:parameter/app/flag' }, operation: 'ssm:PutParameter', parameters: { value: 'on' } }, scope);

/** An error as the SDK throws it for a service's answer. */
function serviceError(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

/** A client double answering by command name, counting how many calls are in flight at once. */
function clientsDouble(answers: Record<string, () => unknown>) {
  const seen = { maxInFlight: 0, sent: [] as string[] };
  let inFlight = 0;
  const client = {
    async send(command: object) {
      const name = command.constructor.name;
      seen.sent.push(name);
      inFlight += 1;
      seen.maxInFlight = Math.max(seen.maxInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      const answer = answers[name];
      if (answer === undefined) throw new Error(`unexpected ${name}`);
      return answer();
    },
  };
  const clients = { s3: async () => client, ssm: async () => client, ec2: async () => client, dynamodb: async () => client } as unknown as ServiceClients;
  return { clients, seen };
}

describe('the live-state read', () => {
  it('an object: head and tags asked at once', async () => {
    const { clients, seen } = clientsDouble({ HeadObjectCommand: () => ({ ETag: '"e"' }), GetObjectTaggingCommand: () => ({ TagSet: [{ Key: 'k', Value: 'v' }] }) });
    expect(await readLiveState(objectPlan, clients, scope.accountId)).toMatchObject({ state: { exists: true, etag: '"e"', tags: 1 }, version: '"e"' });
    expect(seen.maxInFlight).toBe(2);
  });

  it('an object that is not there is absent, whatever the tag read said', async () => {
    const { clients } = clientsDouble({
      HeadObjectCommand: () => Promise.reject(serviceError('NotFound', 404)),
      GetObjectTaggingCommand: () => Promise.reject(serviceError('NoSuchKey', 404)),
    });
    expect(await readLiveState(objectPlan, clients, scope.accountId)).toEqual({ state: { exists: false } });
  });

  it('an object whose tags cannot be read fails the read (the broker denies), never reads as untagged', async () => {
    const { clients } = clientsDouble({ HeadObjectCommand: () => ({ ETag: '"e"' }), GetObjectTaggingCommand: () => Promise.reject(serviceError('AccessDenied', 403)) });
    await expect(readLiveState(objectPlan, clients, scope.accountId)).rejects.toThrow('AccessDenied');
  });

  it('a parameter: value and metadata asked at once, and both must have seen one version', async () => {
    const listed = (version: number) => () => ({ Parameters: [{ Name: '/app/flag', Version: version, Tier: 'Standard' }] });
    const got = () => ({ Parameter: { Name: '/app/flag', Type: 'String', Value: 'off', Version: 3 } });
    const same = clientsDouble({ GetParameterCommand: got, DescribeParametersCommand: listed(3) });
    expect(await readLiveState(parameterPlan, same.clients, scope.accountId)).toEqual({
      state: { exists: true, type: 'String', value: 'off', keyId: null, tier: 'Standard', dataType: null },
      version: '3',
    });
    expect(same.seen.maxInFlight).toBe(2);
    const moved = clientsDouble({ GetParameterCommand: got, DescribeParametersCommand: listed(4) });
    await expect(readLiveState(parameterPlan, moved.clients, scope.accountId)).rejects.toThrow(/changed while it was read/);
  });

  it('a parameter that is not there is absent; one that is there but not listed fails the read', async () => {
    const absent = clientsDouble({ GetParameterCommand: () => Promise.reject(serviceError('ParameterNotFound', 400)), DescribeParametersCommand: () => ({ Parameters: [] }) });
    expect(await readLiveState(parameterPlan, absent.clients, scope.accountId)).toEqual({ state: { exists: false } });
    const unlisted = clientsDouble({ GetParameterCommand: () => ({ Parameter: { Name: '/app/flag', Type: 'String', Value: 'off', Version: 3 } }), DescribeParametersCommand: () => ({ Parameters: [] }) });
    await expect(readLiveState(parameterPlan, unlisted.clients, scope.accountId)).rejects.toThrow(/does not list/);
  });
});
