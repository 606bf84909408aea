// Sets up the local AWS target while moto's IAM enforcement is still off:
// identities (admin, agent, broker), the executor role, the target resources;
// then switches enforcement on and checks that it is on.
//
// Enforcement: moto authorizes a request only once its request counter has
// reached settings.INITIAL_NO_AUTH_ACTION_COUNT (default infinity: never).
// POST /moto-api/reset-auth with a number sets that threshold and zeroes the
// counter (moto_api/_internal/responses.py), so posting "0" enforces from the
// next request on. The environment variable would need the exact number of
// bootstrap calls in advance. The switch itself is unauthenticated: anyone
// who reaches the port can turn enforcement off again (AWS-GUARANTEES.md).
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecurityGroupCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, ListBucketsCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { partitionOf } from '../../../broker/platforms/aws/arn.js';
import { executorRolePolicy } from '../../../broker/platforms/aws/executor-policy.js';
import { VERSION_ATTRIBUTE } from '../../../broker/platforms/aws/operations.js';
import { IoError } from '../../../broker/core/errors.js';
import type { AwsCredentials } from '../../../broker/platforms/target-info.js';
import type { ResolvedCredentials } from '../../../broker/platforms/aws/credentials.js';

/** What the tests and scenarios mutate. */
export interface AwsResources {
  readonly bucket: string;
  readonly objectKey: string;
  readonly parameterName: string;
  readonly securityGroupId: string;
  readonly table: string;
  /** The key of the item the tests update; the table's partition key is `id`. */
  readonly itemKey: { readonly id: string };
}

export interface AwsBootstrap {
  readonly accountId: string;
  readonly credentials: { readonly admin: AwsCredentials; readonly agent: AwsCredentials; readonly broker: AwsCredentials };
  readonly executorRoleArn: string;
  readonly resources: AwsResources;
}

const NAMES = { admin: 'seb-admin', agent: 'seb-agent', broker: 'seb-broker', executor: 'seb-executor' } as const;
/** The names the bootstrap gives its targets (the security group gets an id from EC2). */
export const RESOURCES = { bucket: 'seb-target', objectKey: 'config/app.txt', parameterName: '/seb/app/flag', table: 'seb-target', itemKey: { id: 'config' } } as const;

/** Reads only, on the services the adapter mutates: the agent can look, never touch. */
const AGENT_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'ReadOnly',
      Effect: 'Allow',
      Action: ['s3:Get*', 's3:List*', 'ssm:Get*', 'ssm:Describe*', 'ssm:List*', 'ec2:Describe*', 'dynamodb:Get*', 'dynamodb:Describe*', 'dynamodb:List*'],
      Resource: '*',
    },
  ],
};

const ADMIN_POLICY = { Version: '2012-10-17', Statement: [{ Sid: 'Everything', Effect: 'Allow', Action: '*', Resource: '*' }] };

export async function bootstrapAws(endpoint: string, region: string): Promise<AwsBootstrap> {
  // Any key signs while enforcement is off.
  const open = { endpoint, region, credentials: { accessKeyId: 'AKIABOOTSTRAP0000000', secretAccessKey: 'bootstrap' } };
  const iam = new IAMClient(open);
  try {
    const admin = await user(iam, NAMES.admin, () => {}, ADMIN_POLICY);
    const account = await setUpAccount(open, { names: NAMES, partition: partitionOf(region), bucket: RESOURCES.bucket, table: RESOURCES.table }, () => {});
    // A copy: the SDK marks the credential objects it is given (a `$source` member), and these go into target.json.
    const resources = await createResources({ ...open, credentials: { ...admin.credentials } }, account.accountId);
    await enforce(endpoint);
    await assertEnforced(endpoint, region);
    return {
      accountId: account.accountId,
      credentials: { admin: admin.credentials, agent: account.agent, broker: account.broker },
      executorRoleArn: account.executorRoleArn,
      resources,
    };
  } finally {
    iam.destroy();
  }
}

/**
 * A moto account with nothing of ours but one admin user, IAM enforced: the
 * account "someone else" has, for bootstrapping it as an external target.
 */
export async function bareAccount(endpoint: string, region: string, adminName: string): Promise<AwsCredentials> {
  const iam = new IAMClient({ endpoint, region, credentials: { accessKeyId: 'AKIABOOTSTRAP0000000', secretAccessKey: 'bootstrap' } });
  try {
    const admin = await user(iam, adminName, () => {}, ADMIN_POLICY);
    await enforce(endpoint);
    await assertEnforced(endpoint, region);
    return admin.credentials;
  } finally {
    iam.destroy();
  }
}

/** Names of what setUpAccount creates. */
export interface AccountNames {
  readonly agent: string;
  readonly broker: string;
  readonly executor: string;
}

export interface AccountSetupOptions {
  readonly names: AccountNames;
  readonly partition: string;
  /** The bucket the executor role may write; the table the DynamoDB workloads use (none where the platform has no DynamoDB). */
  readonly bucket: string;
  readonly table?: string;
}

/** One thing setUpAccount created, as teardown removes it (in reverse order). */
export type AwsCreated =
  | { readonly kind: 'user'; readonly name: string }
  | { readonly kind: 'user-policy'; readonly user: string; readonly policy: string }
  | { readonly kind: 'access-key'; readonly user: string; readonly id: string }
  | { readonly kind: 'role'; readonly name: string }
  | { readonly kind: 'role-policy'; readonly role: string; readonly policy: string }
  | { readonly kind: 'bucket'; readonly name: string }
  | { readonly kind: 'table'; readonly name: string };

/** The policy documents of an account set up for the broker: what --dry-run prints. */
export function accountDocuments(o: AccountSetupOptions, accountId: string) {
  const executorRoleArn = `arn:${o.partition}:iam::${accountId}:role/${o.names.executor}`;
  return {
    agentPolicy: AGENT_POLICY,
    // One statement, principals as a list: moto tests `principal in Principal.AWS`,
    // a substring test when AWS is a string, and a statement whose principal does
    // not match counts as a deny, so several statements would deny each other.
    // TagSession and SetSourceIdentity: real AWS requires them for the tags and SourceIdentity the broker sends.
    executorTrustPolicy: {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'BrokerOnly', Effect: 'Allow', Principal: { AWS: [`arn:${o.partition}:iam::${accountId}:user/${o.names.broker}`] }, Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] },
      ],
    },
    executorPolicy: executorRolePolicy(o.partition, [o.bucket]),
    brokerPolicy: {
      Version: '2012-10-17',
      Statement: [{ Sid: 'AssumeExecutor', Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'], Resource: executorRoleArn }],
    },
  };
}

export interface AccountSetup {
  readonly accountId: string;
  readonly agent: AwsCredentials;
  readonly broker: AwsCredentials;
  readonly executorRoleArn: string;
}

/**
 * The agent (read-only) and broker (may only assume the executor) users with
 * access keys, the executor role and its trust policy, the bucket and the
 * table: for the local target and for an account someone already has.
 * `record` sees each creation at once, so a failure part-way can be undone.
 */
export async function setUpAccount(c: ClientOptions, o: AccountSetupOptions, record: (created: AwsCreated) => void): Promise<AccountSetup> {
  const iam = new IAMClient(c);
  const s3 = new S3Client({ ...c, forcePathStyle: c.endpoint !== undefined });
  const ddb = new DynamoDBClient(c);
  try {
    const agent = await user(iam, o.names.agent, record, AGENT_POLICY);
    const broker = await user(iam, o.names.broker, record);
    const accountId = broker.arn.split(':')[4] ?? '';
    const docs = accountDocuments(o, accountId);
    const role = await iam.send(new CreateRoleCommand({ RoleName: o.names.executor, AssumeRolePolicyDocument: JSON.stringify(docs.executorTrustPolicy) }));
    record({ kind: 'role', name: o.names.executor });
    const executorRoleArn = role.Role?.Arn ?? '';
    await iam.send(new PutRolePolicyCommand({ RoleName: o.names.executor, PolicyName: 'executor', PolicyDocument: JSON.stringify(docs.executorPolicy) }));
    record({ kind: 'role-policy', role: o.names.executor, policy: 'executor' });
    await iam.send(new PutUserPolicyCommand({ UserName: o.names.broker, PolicyName: 'assume-executor', PolicyDocument: JSON.stringify(docs.brokerPolicy) }));
    record({ kind: 'user-policy', user: o.names.broker, policy: 'assume-executor' });
    await s3.send(new CreateBucketCommand({ Bucket: o.bucket }));
    record({ kind: 'bucket', name: o.bucket });
    // Every write leaves a version: with no CloudTrail on moto, the versions are how the validator counts executions.
    await s3.send(new PutBucketVersioningCommand({ Bucket: o.bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    if (o.table !== undefined) {
      await ddb.send(
        new CreateTableCommand({
          TableName: o.table,
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      record({ kind: 'table', name: o.table });
    }
    return { accountId, agent: agent.credentials, broker: broker.credentials, executorRoleArn };
  } finally {
    for (const client of [iam, s3, ddb]) client.destroy();
  }
}

async function user(iam: IAMClient, name: string, record: (created: AwsCreated) => void, policy?: object): Promise<{ arn: string; credentials: AwsCredentials }> {
  const created = await iam.send(new CreateUserCommand({ UserName: name }));
  record({ kind: 'user', name });
  if (policy !== undefined) {
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: name, PolicyDocument: JSON.stringify(policy) }));
    record({ kind: 'user-policy', user: name, policy: name });
  }
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  const arn = created.User?.Arn;
  const { AccessKeyId, SecretAccessKey } = key.AccessKey ?? {};
  if (arn === undefined || AccessKeyId === undefined || SecretAccessKey === undefined) throw new IoError(`IAM created no complete user ${name}`);
  record({ kind: 'access-key', user: name, id: AccessKeyId });
  return { arn, credentials: { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey } };
}

export interface ClientOptions {
  /** moto or LocalStack; absent for AWS itself. */
  readonly endpoint?: string;
  readonly region: string;
  readonly credentials: AwsCredentials | ResolvedCredentials;
}

/** The single targets the local target's tests mutate, in the bucket and table setUpAccount made. */
async function createResources(o: ClientOptions, accountId: string): Promise<AwsResources> {
  const s3 = new S3Client({ ...o, forcePathStyle: true });
  const ssm = new SSMClient(o);
  const ec2 = new EC2Client(o);
  const ddb = new DynamoDBClient(o);
  try {
    await s3.send(new PutObjectCommand({ Bucket: RESOURCES.bucket, Key: RESOURCES.objectKey, Body: 'initial\n', ExpectedBucketOwner: accountId }));
    await ssm.send(new PutParameterCommand({ Name: RESOURCES.parameterName, Value: 'off', Type: 'String' }));
    const group = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'seb-target', Description: 'SEB target group' }));
    await ddb.send(
      new PutItemCommand({
        TableName: RESOURCES.table,
        Item: { id: { S: RESOURCES.itemKey.id }, mode: { S: 'off' }, replicas: { N: '2' }, [VERSION_ATTRIBUTE]: { N: '1' } },
      }),
    );
    if (group.GroupId === undefined) throw new IoError('moto created no security group');
    return { ...RESOURCES, securityGroupId: group.GroupId };
  } finally {
    for (const client of [s3, ssm, ec2, ddb]) client.destroy();
  }
}

async function enforce(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
  if (!response.ok) throw new IoError(`moto refused to switch IAM enforcement on (HTTP ${response.status})`);
}

/** A key moto never issued must now be refused; if it is not, enforcement is off and the target is useless. */
async function assertEnforced(endpoint: string, region: string): Promise<void> {
  const s3 = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId: 'AKIANOTISSUED0000000', secretAccessKey: 'x' }, maxAttempts: 1 });
  try {
    const refused = await s3.send(new ListBucketsCommand({})).then(
      () => false,
      () => true,
    );
    if (!refused) throw new IoError('moto IAM enforcement is not on: an unknown access key was accepted');
  } finally {
    s3.destroy();
  }
}
