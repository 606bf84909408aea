// Reads the target's live state with read-session credentials and hands the
// responses to its projection (for an object, its head and its tags; for a
// parameter, its value and its metadata). A target that does not exist is a state
// (exists: false) where the mutation may create it (object, parameter,
// item); any other failure throws, and the broker denies for drift. Where
// the projection needs two reads they go out at once: neither depends on
// the other's answer, and the drift check waits for one round trip, not two.
import { IoError } from '../../core/errors.js';
import type { LiveState } from '../../core/predicates/drift.js';
import { sdk, type ServiceClients } from './clients.js';
import { errorCode } from './errors.js';
import { itemKey, itemProjection } from './dynamodb-update.js';
import type { AwsPlan } from './operations.js';
import { parameterRead, projectIngress, projectItem, projectObject, projectParameter } from './projection.js';

export async function readLiveState(plan: AwsPlan, clients: ServiceClients, accountId: string): Promise<LiveState> {
  switch (plan.action) {
    case 's3:PutObject': {
      const [s3, { HeadObjectCommand, GetObjectTaggingCommand }] = await Promise.all([clients.s3(), sdk.s3()]);
      const target = { Bucket: plan.bucket, Key: plan.key, ExpectedBucketOwner: accountId };
      // Tags are not in HeadObject's answer; a PutObject would drop them.
      const [head, tagging] = await Promise.allSettled([s3.send(new HeadObjectCommand(target)), s3.send(new GetObjectTaggingCommand(target))]);
      if (head.status === 'rejected') return absentIf(head.reason, 'NotFound', () => projectObject(undefined, 0));
      if (tagging.status === 'rejected') throw tagging.reason;
      return projectObject(head.value, tagging.value.TagSet?.length ?? 0);
    }
    case 'ssm:PutParameter': {
      const [ssm, { GetParameterCommand, DescribeParametersCommand }] = await Promise.all([clients.ssm(), sdk.ssm()]);
      // GetParameter does not say which KMS key encrypts a SecureString, nor the tier: DescribeParameters does.
      const [got, described] = await Promise.allSettled([
        ssm.send(new GetParameterCommand({ Name: plan.name })),
        ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [plan.name] }] })),
      ]);
      if (got.status === 'rejected') return absentIf(got.reason, 'ParameterNotFound', () => projectParameter(undefined));
      if (got.value.Parameter === undefined) return projectParameter(undefined);
      if (described.status === 'rejected') throw described.reason;
      const meta = described.value.Parameters?.find((m) => m.Name === plan.name);
      if (meta === undefined) throw new IoError(`DescribeParameters does not list ${plan.name}`);
      return projectParameter(parameterRead(got.value.Parameter, meta));
    }
    case 'ec2:AuthorizeSecurityGroupIngress': {
      const [ec2, { DescribeSecurityGroupsCommand }] = await Promise.all([clients.ec2(), sdk.ec2()]);
      const out = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [plan.groupId] }));
      const group = out.SecurityGroups?.find((g) => g.GroupId === plan.groupId);
      if (group === undefined) throw new IoError(`security group ${plan.groupId} not found`);
      return projectIngress(group.IpPermissions ?? []);
    }
    case 'dynamodb:UpdateItem': {
      const [ddb, { GetItemCommand }] = await Promise.all([clients.dynamodb(), sdk.dynamodb()]);
      // Strongly consistent: an eventually consistent read could certify a state already overwritten.
      const out = await ddb.send(new GetItemCommand({ TableName: plan.table, Key: itemKey(plan), ConsistentRead: true, ...itemProjection(plan) }));
      return projectItem(out.Item, Object.keys(plan.set));
    }
  }
}

/** The state of an absent target when the error says it is absent; any other error is thrown. */
function absentIf(error: unknown, name: string, absent: () => LiveState): LiveState {
  if (errorCode(error) === name) return absent();
  throw error;
}
