// Reads the target's live state with read-session credentials and hands the
// responses to its projection (for an object, its head and its tags; for a
// parameter, its value and its metadata). A target that does not exist is a state
// (exists: false) where the mutation may create it (object, parameter,
// item); any other failure throws, and the broker denies for drift.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { GetObjectTaggingCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { DescribeParametersCommand, GetParameterCommand } from '@aws-sdk/client-ssm';
import { IoError } from '../../core/errors.js';
import type { LiveState } from '../../core/predicates/drift.js';
import { dynamodbClient, ec2Client, s3Client, ssmClient, type AwsCredentials, type Connection } from './clients.js';
import { errorCode } from './errors.js';
import { itemKey, itemProjection } from './dynamodb-update.js';
import type { AwsPlan } from './operations.js';
import { projectIngress, projectItem, projectObject, projectParameter } from './projection.js';

export async function readLiveState(plan: AwsPlan, c: Connection, credentials: AwsCredentials, accountId: string): Promise<LiveState> {
  switch (plan.action) {
    case 's3:PutObject': {
      const s3 = s3Client(c, credentials, 'read');
      const head = await s3
        .send(new HeadObjectCommand({ Bucket: plan.bucket, Key: plan.key, ExpectedBucketOwner: accountId }))
        .catch((e: unknown) => absentIf(e, 'NotFound'));
      if (head === undefined) return projectObject(undefined, 0);
      // Tags are not in HeadObject's answer; a PutObject would drop them.
      const tagging = await s3.send(new GetObjectTaggingCommand({ Bucket: plan.bucket, Key: plan.key, ExpectedBucketOwner: accountId }));
      return projectObject(head, tagging.TagSet?.length ?? 0);
    }
    case 'ssm:PutParameter': {
      const ssm = ssmClient(c, credentials, 'read');
      const out = await ssm.send(new GetParameterCommand({ Name: plan.name })).catch((e: unknown) => absentIf(e, 'ParameterNotFound'));
      if (out?.Parameter === undefined) return projectParameter(undefined);
      // GetParameter does not say which KMS key encrypts a SecureString, nor the tier: DescribeParameters does.
      const described = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [plan.name] }] }));
      const meta = described.Parameters?.find((m) => m.Name === plan.name);
      if (meta === undefined) throw new IoError(`DescribeParameters does not list ${plan.name}`);
      return projectParameter({ ...out.Parameter, ...(meta.KeyId === undefined ? {} : { KeyId: meta.KeyId }), ...(meta.Tier === undefined ? {} : { Tier: meta.Tier }), ...(meta.DataType === undefined ? {} : { DataType: meta.DataType }) });
    }
    case 'ec2:AuthorizeSecurityGroupIngress': {
      const ec2 = ec2Client(c, credentials, 'read');
      const out = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [plan.groupId] }));
      const group = out.SecurityGroups?.find((g) => g.GroupId === plan.groupId);
      if (group === undefined) throw new IoError(`security group ${plan.groupId} not found`);
      return projectIngress(group.IpPermissions ?? []);
    }
    case 'dynamodb:UpdateItem': {
      const ddb = dynamodbClient(c, credentials, 'read');
      // Strongly consistent: an eventually consistent read could certify a state already overwritten.
      const out = await ddb.send(new GetItemCommand({ TableName: plan.table, Key: itemKey(plan), ConsistentRead: true, ...itemProjection(plan) }));
      return projectItem(out.Item, Object.keys(plan.set));
    }
  }
}

function absentIf(error: unknown, name: string): undefined {
  if (errorCode(error) === name) return undefined;
  throw error;
}
