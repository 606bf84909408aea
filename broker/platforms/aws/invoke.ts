// The mutation, sent with the minted session's credentials and conditioned
// on the version the drift check observed wherever the service can condition
// a write: S3 If-Match (If-None-Match * for an object that was absent),
// DynamoDB ConditionExpression, and SSM's Overwrite=false when the parameter
// was absent (it refuses to create over one that appeared since). What the
// object and parameter writes keep of the live target: write-inputs.ts.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { AuthorizeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import type { InvokeResult } from '../../core/ports/platform.js';
import type { LiveState } from '../../core/predicates/drift.js';
import { dynamodbClient, ec2Client, s3Client, ssmClient, type AwsCredentials, type Connection } from './clients.js';
import { updateItemInput } from './dynamodb-update.js';
import { refusal } from './errors.js';
import type { AwsPlan } from './operations.js';
import { putObjectInput, putParameterInput } from './write-inputs.js';

export { OBJECT_CONTENT_TYPE } from './write-inputs.js';

export async function invokePlan(plan: AwsPlan, c: Connection, credentials: AwsCredentials, live: LiveState, accountId: string): Promise<InvokeResult> {
  try {
    return await send(plan, c, credentials, live, accountId);
  } catch (e) {
    return refusal(e);
  }
}

async function send(plan: AwsPlan, c: Connection, credentials: AwsCredentials, live: LiveState, accountId: string): Promise<InvokeResult> {
  switch (plan.action) {
    case 's3:PutObject': {
      const s3 = s3Client(c, credentials, 'write');
      const write = putObjectInput(plan, live, accountId);
      if ('refused' in write) return { status: 'failed', detail: `refused before writing: ${write.refused}` };
      const out = await s3.send(new PutObjectCommand(write.input));
      return { status: 'succeeded', detail: { etag: out.ETag ?? null } };
    }
    case 'ssm:PutParameter': {
      const ssm = ssmClient(c, credentials, 'write');
      const write = putParameterInput(plan, live);
      if ('refused' in write) return { status: 'failed', detail: `refused before writing: ${write.refused}` };
      const out = await ssm.send(new PutParameterCommand(write.input));
      return { status: 'succeeded', detail: { version: out.Version ?? null } };
    }
    case 'ec2:AuthorizeSecurityGroupIngress': {
      const ec2 = ec2Client(c, credentials, 'write');
      const { protocol, fromPort, toPort, cidr } = plan.rule;
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: plan.groupId,
          IpPermissions: [{ IpProtocol: protocol, FromPort: fromPort, ToPort: toPort, IpRanges: [{ CidrIp: cidr }] }],
        }),
      );
      return { status: 'succeeded' };
    }
    case 'dynamodb:UpdateItem': {
      const ddb = dynamodbClient(c, credentials, 'write');
      await ddb.send(new UpdateItemCommand(updateItemInput(plan, live.version)));
      return { status: 'succeeded' };
    }
  }
}
