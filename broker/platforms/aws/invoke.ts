// The mutation, sent with the minted session's credentials and conditioned
// on the version the drift check observed wherever the service can condition
// a write: S3 If-Match (If-None-Match * for an object that was absent),
// DynamoDB ConditionExpression, and SSM's Overwrite=false when the parameter
// was absent (it refuses to create over one that appeared since). What the
// object and parameter writes keep of the live target: write-inputs.ts.
import type { InvokeResult } from '../../core/ports/platform.js';
import type { LiveState } from '../../core/predicates/drift.js';
import { sdk, type ServiceClients } from './clients.js';
import { updateItemInput } from './dynamodb-update.js';
import { refusal } from './errors.js';
import type { AwsPlan } from './operations.js';
import { putObjectInput, putParameterInput } from './write-inputs.js';

export { OBJECT_CONTENT_TYPE } from './write-inputs.js';

/** `clients`: the minted session's, for write (a single attempt). */
export async function invokePlan(plan: AwsPlan, clients: ServiceClients, live: LiveState, accountId: string): Promise<InvokeResult> {
  try {
    return await send(plan, clients, live, accountId);
  } catch (e) {
    return refusal(e);
  }
}

async function send(plan: AwsPlan, clients: ServiceClients, live: LiveState, accountId: string): Promise<InvokeResult> {
  switch (plan.action) {
    case 's3:PutObject': {
      const write = putObjectInput(plan, live, accountId);
      if ('refused' in write) return { status: 'failed', detail: `refused before writing: ${write.refused}` };
      const [s3, { PutObjectCommand }] = await Promise.all([clients.s3(), sdk.s3()]);
      const out = await s3.send(new PutObjectCommand(write.input));
      return { status: 'succeeded', detail: { etag: out.ETag ?? null } };
    }
    case 'ssm:PutParameter': {
      const write = putParameterInput(plan, live);
      if ('refused' in write) return { status: 'failed', detail: `refused before writing: ${write.refused}` };
      const [ssm, { PutParameterCommand }] = await Promise.all([clients.ssm(), sdk.ssm()]);
      const out = await ssm.send(new PutParameterCommand(write.input));
      return { status: 'succeeded', detail: { version: out.Version ?? null } };
    }
    case 'ec2:AuthorizeSecurityGroupIngress': {
      const [ec2, { AuthorizeSecurityGroupIngressCommand }] = await Promise.all([clients.ec2(), sdk.ec2()]);
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
      const [ddb, { UpdateItemCommand }] = await Promise.all([clients.dynamodb(), sdk.dynamodb()]);
      await ddb.send(new UpdateItemCommand(updateItemInput(plan, live.version)));
      return { status: 'succeeded' };
    }
  }
}
