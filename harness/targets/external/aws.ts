// An AWS account someone already has, set up for the broker through the
// caller's profile: the same users, executor role, bucket and table as the
// local target (setUpAccount in aws-bootstrap.ts), with a permission check
// first (IAM SimulatePrincipalPolicy, where the platform answers it), and a
// teardown that removes what the manifest lists.
import { DeleteTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteAccessKeyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  IAMClient,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { DeleteBucketCommand, DeleteObjectsCommand, HeadBucketCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ConfigError } from '../../../broker/core/errors.js';
import type { AwsCreated, ClientOptions } from '../local/aws-bootstrap.js';

/** What setUpAccount calls, as IAM names the actions. */
export const REQUIRED_ACTIONS = [
  'iam:CreateUser',
  'iam:PutUserPolicy',
  'iam:CreateAccessKey',
  'iam:CreateRole',
  'iam:PutRolePolicy',
  's3:CreateBucket',
  'dynamodb:CreateTable',
] as const;

/** The caller's ARN, as IAM's simulator takes it: an assumed role is simulated as its role. */
export function principalForSimulation(callerArn: string): string {
  const m = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  return m === null ? callerArn : `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`;
}

export type PermissionCheck = { readonly checked: true; readonly denied: readonly string[] } | { readonly checked: false; readonly why: string };

/** Asks IAM whether the caller may do what bootstrap does. A platform that cannot answer (no simulator) says why. */
export async function simulateAccess(c: ClientOptions, actions: readonly string[]): Promise<PermissionCheck> {
  const sts = new STSClient(c);
  const iam = new IAMClient(c);
  try {
    const me = await sts.send(new GetCallerIdentityCommand({}));
    const arn = me.Arn ?? '';
    if (/:root$/.test(arn)) return { checked: false, why: 'the caller is the account root, which IAM does not simulate (and may do everything)' };
    let results;
    try {
      // ResourceArns '*' is AWS's default; LocalStack's simulator needs it said.
      results = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: principalForSimulation(arn), ActionNames: [...actions], ResourceArns: ['*'] }));
    } catch (error) {
      return { checked: false, why: `IAM SimulatePrincipalPolicy is not available here (${(error as Error).message.split('\n')[0]})` };
    }
    const denied = (results.EvaluationResults ?? []).filter((r) => r.EvalDecision !== 'allowed').map((r) => r.EvalActionName ?? '?');
    return { checked: true, denied };
  } finally {
    sts.destroy();
    iam.destroy();
  }
}

export function refuseDenied(check: PermissionCheck, who: string): void {
  if (check.checked && check.denied.length > 0) {
    throw new ConfigError(who, `may not ${check.denied.join(', ')} (asked IAM SimulatePrincipalPolicy); nothing was created`);
  }
}

const notFound = (error: unknown) => {
  const name = (error as { name?: string }).name ?? '';
  return ['NoSuchEntity', 'NoSuchEntityException', 'NoSuchBucket', 'NotFound', 'ResourceNotFoundException'].includes(name);
};

async function ignoringGone(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (!notFound(error)) throw error;
  }
}

/** Removes what `created` lists, newest first; a bucket is emptied before it goes. */
export async function teardownAws(c: ClientOptions, created: readonly AwsCreated[]): Promise<void> {
  const iam = new IAMClient(c);
  const s3 = new S3Client({ ...c, forcePathStyle: c.endpoint !== undefined });
  const ddb = new DynamoDBClient(c);
  try {
    for (const x of [...created].reverse()) {
      switch (x.kind) {
        case 'access-key':
          await ignoringGone(() => iam.send(new DeleteAccessKeyCommand({ UserName: x.user, AccessKeyId: x.id })));
          break;
        case 'user-policy':
          await ignoringGone(() => iam.send(new DeleteUserPolicyCommand({ UserName: x.user, PolicyName: x.policy })));
          break;
        case 'user':
          await ignoringGone(() => iam.send(new DeleteUserCommand({ UserName: x.name })));
          break;
        case 'role-policy':
          await ignoringGone(() => iam.send(new DeleteRolePolicyCommand({ RoleName: x.role, PolicyName: x.policy })));
          break;
        case 'role':
          await ignoringGone(() => iam.send(new DeleteRoleCommand({ RoleName: x.name })));
          break;
        case 'bucket':
          await ignoringGone(() => emptyBucket(s3, x.name));
          await ignoringGone(() => s3.send(new DeleteBucketCommand({ Bucket: x.name })));
          break;
        case 'table':
          await ignoringGone(() => ddb.send(new DeleteTableCommand({ TableName: x.name })));
          break;
      }
    }
  } finally {
    for (const client of [iam, s3, ddb]) client.destroy();
  }
}

/** Deletes every version and delete marker: a versioned bucket (the validator counts writes by version) cannot go otherwise. */
async function emptyBucket(s3: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const versions = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].flatMap((v) => (v.Key === undefined ? [] : [{ Key: v.Key, ...(v.VersionId === undefined ? {} : { VersionId: v.VersionId }) }]));
    if (versions.length === 0) return;
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: versions } }));
  }
}

/** What of the users, roles, buckets and tables in `created` still exists (their keys and policies go with them). */
export async function remainingAws(c: ClientOptions, created: readonly AwsCreated[]): Promise<string[]> {
  const iam = new IAMClient(c);
  const s3 = new S3Client({ ...c, forcePathStyle: c.endpoint !== undefined });
  const ddb = new DynamoDBClient(c);
  const exists = async (call: () => Promise<unknown>) => {
    try {
      await call();
      return true;
    } catch (error) {
      if (notFound(error) || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
      throw error;
    }
  };
  try {
    const left: string[] = [];
    for (const x of created) {
      if (x.kind === 'user' && (await exists(() => iam.send(new GetUserCommand({ UserName: x.name }))))) left.push(`IAM user ${x.name}`);
      if (x.kind === 'role' && (await exists(() => iam.send(new GetRoleCommand({ RoleName: x.name }))))) left.push(`IAM role ${x.name}`);
      if (x.kind === 'bucket' && (await exists(() => s3.send(new HeadBucketCommand({ Bucket: x.name }))))) left.push(`S3 bucket ${x.name}`);
      if (x.kind === 'table' && (await exists(() => ddb.send(new DescribeTableCommand({ TableName: x.name }))))) left.push(`DynamoDB table ${x.name}`);
    }
    return left;
  } finally {
    for (const client of [iam, s3, ddb]) client.destroy();
  }
}
