// The AWS adapter's mutation kinds on the local target, from the harness's
// side: the contract for the n-th request of a kind, the same mutation done
// directly with a standing credential (the baseline, and the bypass the
// agent and broker users must be refused), an out-of-band change to what the
// kind's projection covers, and the restore to the bootstrap state.
import { DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { AuthorizeSecurityGroupIngressCommand, DescribeSecurityGroupsCommand, EC2Client, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Contract } from '../../../broker/core/certificate/contract.js';
import { partitionOf } from '../../../broker/platforms/aws/arn.js';
import { VERSION_ATTRIBUTE, type Action } from '../../../broker/platforms/aws/operations.js';
import type { AwsCredentials, AwsTarget } from '../target-info.js';
import type { AwsResources } from './aws-bootstrap.js';

export const INITIAL = { object: 'initial\n', parameter: 'off', mode: 'off' } as const;

export function contractFor(action: Action, info: AwsTarget, r: AwsResources, n: number): Contract {
  const partition = partitionOf(info.region);
  const regional = `arn:${partition}:${action.split(':')[0]}:${info.region}:${info.accountId}`;
  switch (action) {
    case 's3:PutObject':
      return { platform: 'aws', target: { service: 's3', arn: `arn:${partition}:s3:::${r.bucket}/${r.objectKey}` }, operation: action, parameters: { body: `value-${n}\n` } };
    case 'ssm:PutParameter':
      return { platform: 'aws', target: { service: 'ssm', arn: `${regional}:parameter${r.parameterName}` }, operation: action, parameters: { value: `value-${n}` } };
    case 'ec2:AuthorizeSecurityGroupIngress':
      return {
        platform: 'aws',
        target: { service: 'ec2', arn: `${regional}:security-group/${r.securityGroupId}` },
        operation: action,
        parameters: { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: ingressCidr(n) },
      };
    case 'dynamodb:UpdateItem':
      return { platform: 'aws', target: { service: 'dynamodb', arn: `${regional}:table/${r.table}` }, operation: action, parameters: { key: { ...r.itemKey }, set: { mode: `value-${n}` } } };
  }
}

/** A distinct rule per n, so repeated authorizations never collide with a duplicate. */
function ingressCidr(n: number): string {
  return `10.${Math.floor(n / 256) % 256}.${n % 256}.0/24`;
}

/** Direct calls with one standing credential: admin for the baseline and setup, agent or broker to prove they are refused. */
export class DirectAws {
  private readonly s3: S3Client;
  private readonly ssm: SSMClient;
  private readonly ec2: EC2Client;
  private readonly ddb: DynamoDBClient;

  constructor(
    info: AwsTarget,
    credentials: AwsCredentials,
    private readonly r: AwsResources,
  ) {
    const o = { endpoint: info.endpoint, region: info.region, credentials, maxAttempts: 1 };
    this.s3 = new S3Client({ ...o, forcePathStyle: true });
    this.ssm = new SSMClient(o);
    this.ec2 = new EC2Client(o);
    this.ddb = new DynamoDBClient(o);
  }

  /** The mutation the n-th contract of `action` certifies, sent without a certificate or precondition. */
  async mutate(action: Action, n: number): Promise<void> {
    switch (action) {
      case 's3:PutObject':
        await this.s3.send(new PutObjectCommand({ Bucket: this.r.bucket, Key: this.r.objectKey, Body: `value-${n}\n`, ContentType: 'text/plain; charset=utf-8' }));
        return;
      case 'ssm:PutParameter':
        await this.ssm.send(new PutParameterCommand({ Name: this.r.parameterName, Value: `value-${n}`, Type: 'String', Overwrite: true }));
        return;
      case 'ec2:AuthorizeSecurityGroupIngress':
        await this.authorize(443, ingressCidr(n));
        return;
      case 'dynamodb:UpdateItem':
        await this.setMode(`value-${n}`);
        return;
    }
  }

  /** A change, by someone other than the broker, to what `action`'s live-state projection covers. */
  async tamper(action: Action): Promise<void> {
    switch (action) {
      case 's3:PutObject':
        await this.s3.send(new PutObjectCommand({ Bucket: this.r.bucket, Key: this.r.objectKey, Body: 'tampered\n', ContentType: 'text/plain; charset=utf-8' }));
        return;
      case 'ssm:PutParameter':
        await this.ssm.send(new PutParameterCommand({ Name: this.r.parameterName, Value: 'tampered', Type: 'String', Overwrite: true }));
        return;
      case 'ec2:AuthorizeSecurityGroupIngress':
        await this.authorize(22, '0.0.0.0/0');
        return;
      case 'dynamodb:UpdateItem':
        await this.setMode('tampered');
        return;
    }
  }

  /** Delete the target of a kind that can create it (object, parameter, item). */
  async remove(action: Exclude<Action, 'ec2:AuthorizeSecurityGroupIngress'>): Promise<void> {
    switch (action) {
      case 's3:PutObject':
        await this.s3.send(new DeleteObjectCommand({ Bucket: this.r.bucket, Key: this.r.objectKey }));
        return;
      case 'ssm:PutParameter':
        await this.ssm.send(new DeleteParameterCommand({ Name: this.r.parameterName }));
        return;
      case 'dynamodb:UpdateItem':
        await this.ddb.send(new DeleteItemCommand({ TableName: this.r.table, Key: { id: { S: this.r.itemKey.id } } }));
        return;
    }
  }

  /** Back to the bootstrap state (a new ETag, parameter version and item version; no ingress rules). */
  async restore(): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.r.bucket, Key: this.r.objectKey, Body: INITIAL.object }));
    await this.ssm.send(new PutParameterCommand({ Name: this.r.parameterName, Value: INITIAL.parameter, Type: 'String', Overwrite: true }));
    const groups = await this.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [this.r.securityGroupId] }));
    const permissions = groups.SecurityGroups?.[0]?.IpPermissions ?? [];
    if (permissions.length > 0) await this.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: this.r.securityGroupId, IpPermissions: permissions }));
    await this.ddb.send(
      new PutItemCommand({
        TableName: this.r.table,
        Item: { id: { S: this.r.itemKey.id }, mode: { S: INITIAL.mode }, replicas: { N: '2' }, [VERSION_ATTRIBUTE]: { N: '1' } },
      }),
    );
  }

  close(): void {
    for (const client of [this.s3, this.ssm, this.ec2, this.ddb]) client.destroy();
  }

  private async authorize(port: number, cidr: string): Promise<void> {
    await this.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: this.r.securityGroupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: cidr }] }],
      }),
    );
  }

  // Writers that are not the broker keep the version discipline too: every write moves it.
  private async setMode(mode: string): Promise<void> {
    await this.ddb.send(
      new UpdateItemCommand({
        TableName: this.r.table,
        Key: { id: { S: this.r.itemKey.id } },
        UpdateExpression: 'SET #m = :m, #v = #v + :one',
        ExpressionAttributeNames: { '#m': 'mode', '#v': VERSION_ATTRIBUTE },
        ExpressionAttributeValues: { ':m': { S: mode }, ':one': { N: '1' } },
      }),
    );
  }
}
