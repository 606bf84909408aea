// The local AWS target refuses every way around the broker that moto can
// refuse: the agent's and the broker's own credentials cannot mutate, only
// the broker user may assume the executor role, and a bad signature or an
// unknown key is rejected. Against a real moto, started here.
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CreateAccessKeyCommand, CreateUserCommand, DeleteAccessKeyCommand, DeleteUserCommand, DeleteUserPolicyCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from '../../../broker/platforms/aws/errors.js';
import { ACTIONS } from '../../../broker/platforms/aws/operations.js';
import type { AwsCredentials } from '../../../broker/platforms/target-info.js';
import { DirectAws } from './aws-kinds.js';
import { startLocalAws, type LocalAws } from './aws-target.js';

let dir: string;
let aws: LocalAws;
let admin: DirectAws;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-aws-target-'));
  const t0 = performance.now();
  aws = await startLocalAws(dir);
  console.log(`moto started and bootstrapped in ${(performance.now() - t0).toFixed(0)} ms`);
  admin = new DirectAws(aws.info, adminCredentials(), aws.resources);
});
afterAll(async () => {
  admin?.close();
  await aws?.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => admin.restore());

function adminCredentials(): AwsCredentials {
  const c = aws.info.credentials.admin;
  if (c === undefined) throw new Error('the local target has admin credentials');
  return c;
}

function sts(credentials: AwsCredentials): STSClient {
  return new STSClient({ endpoint: aws.info.endpoint, region: aws.info.region, credentials, maxAttempts: 1 });
}

// S3 and EC2 name the refusal; moto answers SSM's and DynamoDB's in an XML body
// the SDK cannot parse for these JSON protocols, so only the 403 is known.
const REFUSED = /^(AccessDenied|UnauthorizedOperation|HTTP403)$/;

/** The service's error code for a refused call, or 'accepted'. */
async function refusal(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (e) {
    return errorCode(e) ?? `no answer: ${String(e)}`;
  }
  return 'accepted';
}

describe('local AWS target', () => {
  it('admin can make every mutation directly (so a refusal below is about identity, not the call)', async () => {
    for (const [n, action] of ACTIONS.entries()) await admin.mutate(action, n);
  });

  it.each(['agent', 'broker'] as const)('the %s user cannot perform any mutation kind directly', async (who) => {
    const direct = new DirectAws(aws.info, aws.info.credentials[who], aws.resources);
    try {
      for (const [n, action] of ACTIONS.entries()) {
        expect(await refusal(() => direct.mutate(action, n)), action).toMatch(REFUSED);
      }
    } finally {
      direct.close();
    }
  });

  it('only the broker user may assume the executor role', async () => {
    const assume = (c: AwsCredentials) => sts(c).send(new AssumeRoleCommand({ RoleArn: aws.info.executorRoleArn, RoleSessionName: 'probe' }));
    const session = await assume(aws.info.credentials.broker);
    expect(session.AssumedRoleUser?.Arn).toContain(':assumed-role/seb-executor/probe');
    // Admin may call sts:AssumeRole on anything, but the trust policy does not name it.
    expect(await refusal(() => assume(adminCredentials()))).toBe('AccessDenied');
    expect(await refusal(() => assume(aws.info.credentials.agent))).toBe('AccessDenied');
  });

  it('a user whose ARN is a prefix of the broker ARN is not trusted (principals are a list, matched exactly)', async () => {
    const iam = new IAMClient({ endpoint: aws.info.endpoint, region: aws.info.region, credentials: adminCredentials() });
    const name = 'seb-broke';
    try {
      await iam.send(new CreateUserCommand({ UserName: name }));
      const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: aws.info.executorRoleArn }] };
      await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'assume', PolicyDocument: JSON.stringify(policy) }));
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
      const credentials = { accessKeyId: key?.AccessKeyId ?? '', secretAccessKey: key?.SecretAccessKey ?? '' };
      const attempt = () => sts(credentials).send(new AssumeRoleCommand({ RoleArn: aws.info.executorRoleArn, RoleSessionName: 'probe' }));
      expect(await refusal(attempt)).toBe('AccessDenied');
      await iam.send(new DeleteAccessKeyCommand({ UserName: name, AccessKeyId: credentials.accessKeyId }));
    } finally {
      await iam.send(new DeleteUserPolicyCommand({ UserName: name, PolicyName: 'assume' })).catch(() => undefined);
      await iam.send(new DeleteUserCommand({ UserName: name })).catch(() => undefined);
      iam.destroy();
    }
  });

  it('an explicit Deny wins over an Allow of everything', async () => {
    const iam = new IAMClient({ endpoint: aws.info.endpoint, region: aws.info.region, credentials: adminCredentials() });
    const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'ssm:PutParameter', Resource: '*' }] };
    try {
      await iam.send(new PutUserPolicyCommand({ UserName: 'seb-admin', PolicyName: 'deny-ssm', PolicyDocument: JSON.stringify(deny) }));
      expect(await refusal(() => admin.mutate('ssm:PutParameter', 0))).toMatch(REFUSED);
    } finally {
      // Admin may still delete its own policy: the Deny covers only ssm:PutParameter.
      await iam.send(new DeleteUserPolicyCommand({ UserName: 'seb-admin', PolicyName: 'deny-ssm' }));
      iam.destroy();
    }
  });

  it('checks SigV4: a wrong secret and an unknown key are refused', async () => {
    const broker = aws.info.credentials.broker;
    const assume = (c: AwsCredentials) => sts(c).send(new AssumeRoleCommand({ RoleArn: aws.info.executorRoleArn, RoleSessionName: 'probe' }));
    expect(await refusal(() => assume({ ...broker, secretAccessKey: `${broker.secretAccessKey}x` }))).toBe('SignatureDoesNotMatch');
    expect(await refusal(() => assume({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' }))).toBe('InvalidClientTokenId');
    // GetCallerIdentity is allowed to any valid signer (moto and AWS alike).
    expect((await sts(broker).send(new GetCallerIdentityCommand({}))).Arn).toMatch(/:user\/seb-broker$/);
  });
});
