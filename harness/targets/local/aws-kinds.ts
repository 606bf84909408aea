// The AWS adapter's mutation kinds on the local target, from the harness's
// side: the contract for the n-th request of a kind, the same mutation done
// directly with a standing credential (the baseline, and the bypass the
// agent and broker users must be refused), an out-of-band change to what the
// kind's projection covers, and the restore to the bootstrap state. The
// plan-based calls (apply, tamperWith, create, delete) work on any target a
// contract names, so the bench's pools of targets use them too
// (harness/workload/kinds/aws.ts).
import { DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { DeleteObjectCommand, ListObjectVersionsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteParameterCommand, GetParameterHistoryCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Contract } from '../../../broker/core/certificate/contract.js';
import { partitionOf } from '../../../broker/platforms/aws/arn.js';
import { attributeValue, itemKey } from '../../../broker/platforms/aws/dynamodb-update.js';
import { OBJECT_CONTENT_TYPE } from '../../../broker/platforms/aws/invoke.js';
import { planAws, VERSION_ATTRIBUTE, type Action, type AwsPlan, type IngressRule } from '../../../broker/platforms/aws/operations.js';
import type { AwsCredentialSource, AwsTarget } from '../../../broker/platforms/target-info.js';
import { awsCredentialsFor } from '../../../broker/platforms/aws/credentials.js';
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

/** One ingress rule as a string, the same whether read from a plan or from EC2. */
export function ruleContent(r: { protocol: string; fromPort: number; toPort: number; cidr: string }): string {
  return `${r.protocol} ${r.fromPort}-${r.toPort} ${r.cidr}`;
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

  /** `r`: the bootstrap's single targets, for the per-action calls (mutate, tamper, remove, restore). */
  constructor(
    private readonly info: AwsTarget,
    credentials: AwsCredentialSource,
    private readonly r?: AwsResources,
  ) {
    // An empty endpoint is AWS itself (target.json of an external target).
    const o = { ...(info.endpoint === '' ? {} : { endpoint: info.endpoint }), region: info.region, credentials: awsCredentialsFor(credentials, info), maxAttempts: 1 };
    this.s3 = new S3Client({ ...o, forcePathStyle: info.endpoint !== '' });
    this.ssm = new SSMClient(o);
    this.ec2 = new EC2Client(o);
    this.ddb = new DynamoDBClient(o);
  }

  /** The mutation the n-th contract of `action` certifies, sent without a certificate or precondition. */
  async mutate(action: Action, n: number): Promise<void> {
    await this.apply(this.planOf(action, n));
  }

  /** A change, by someone other than the broker, to what `action`'s live-state projection covers. */
  async tamper(action: Action): Promise<void> {
    await this.tamperWith(this.planOf(action, 0));
  }

  /** Delete the target of a kind that can create it (object, parameter, item). */
  async remove(action: Exclude<Action, 'ec2:AuthorizeSecurityGroupIngress'>): Promise<void> {
    await this.delete(this.planOf(action, 0));
  }

  /** Back to the bootstrap state (a new ETag, parameter version and item version; no ingress rules). */
  async restore(): Promise<void> {
    const r = this.resources();
    await this.s3.send(new PutObjectCommand({ Bucket: r.bucket, Key: r.objectKey, Body: INITIAL.object }));
    await this.ssm.send(new PutParameterCommand({ Name: r.parameterName, Value: INITIAL.parameter, Type: 'String', Overwrite: true }));
    await this.revokeAll(r.securityGroupId);
    await this.ddb.send(
      new PutItemCommand({
        TableName: r.table,
        Item: { id: { S: r.itemKey.id }, mode: { S: INITIAL.mode }, replicas: { N: '2' }, [VERSION_ATTRIBUTE]: { N: '1' } },
      }),
    );
  }

  /** A planned mutation, sent with this credential and no precondition: the same write the broker makes. */
  async apply(plan: AwsPlan): Promise<void> {
    switch (plan.action) {
      case 's3:PutObject':
        await this.s3.send(new PutObjectCommand({ Bucket: plan.bucket, Key: plan.key, Body: plan.body, ContentType: OBJECT_CONTENT_TYPE }));
        return;
      case 'ssm:PutParameter':
        await this.ssm.send(new PutParameterCommand({ Name: plan.name, Value: plan.value, Type: 'String', Overwrite: true }));
        return;
      case 'ec2:AuthorizeSecurityGroupIngress':
        await this.authorize(plan.groupId, plan.rule);
        return;
      case 'dynamodb:UpdateItem':
        await this.setAttributes(plan, plan.set);
        return;
    }
  }

  /**
   * A change to what the plan's projection covers, by someone other than the
   * broker. Give `n` to make each change distinct (a second identical ingress
   * rule would be refused as a duplicate).
   */
  async tamperWith(plan: AwsPlan, n?: number): Promise<void> {
    const mark = n === undefined ? 'tampered' : `tampered-${n}`;
    switch (plan.action) {
      case 's3:PutObject':
        await this.s3.send(new PutObjectCommand({ Bucket: plan.bucket, Key: plan.key, Body: `${mark}\n`, ContentType: OBJECT_CONTENT_TYPE }));
        return;
      case 'ssm:PutParameter':
        await this.ssm.send(new PutParameterCommand({ Name: plan.name, Value: mark, Type: 'String', Overwrite: true }));
        return;
      case 'ec2:AuthorizeSecurityGroupIngress':
        await this.authorize(plan.groupId, { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: n === undefined ? '0.0.0.0/0' : tamperCidr(n) });
        return;
      case 'dynamodb:UpdateItem':
        await this.setAttributes(plan, Object.fromEntries(Object.keys(plan.set).map((name) => [name, mark])));
        return;
    }
  }

  /** Create the plan's target in an initial state (object, parameter, item at version 1). */
  async create(plan: Exclude<AwsPlan, { action: 'ec2:AuthorizeSecurityGroupIngress' }>): Promise<void> {
    switch (plan.action) {
      case 's3:PutObject':
        await this.s3.send(new PutObjectCommand({ Bucket: plan.bucket, Key: plan.key, Body: INITIAL.object, ContentType: OBJECT_CONTENT_TYPE }));
        return;
      case 'ssm:PutParameter':
        await this.ssm.send(new PutParameterCommand({ Name: plan.name, Value: INITIAL.parameter, Type: 'String', Overwrite: true }));
        return;
      case 'dynamodb:UpdateItem': {
        const initial = Object.fromEntries(Object.keys(plan.set).map((name) => [name, attributeValue(INITIAL.mode)]));
        await this.ddb.send(new PutItemCommand({ TableName: plan.table, Item: { ...initial, ...itemKey(plan), [VERSION_ATTRIBUTE]: { N: '1' } } }));
        return;
      }
    }
  }

  /** Delete the plan's target (object, parameter, item); a security group's rules are revoked. */
  async delete(plan: AwsPlan): Promise<void> {
    switch (plan.action) {
      case 's3:PutObject':
        // Every version (the bucket is versioned): a later pool under the same name must not inherit this one's writes.
        for (const v of await this.objectVersions(plan)) await this.s3.send(new DeleteObjectCommand({ Bucket: plan.bucket, Key: plan.key, VersionId: v.versionId }));
        return;
      case 'ssm:PutParameter':
        await this.ssm.send(new DeleteParameterCommand({ Name: plan.name }));
        return;
      case 'ec2:AuthorizeSecurityGroupIngress':
        await this.revokeAll(plan.groupId);
        return;
      case 'dynamodb:UpdateItem':
        await this.ddb.send(new DeleteItemCommand({ TableName: plan.table, Key: itemKey(plan) }));
        return;
    }
  }

  /**
   * Every write the platform keeps a record of for the plan's target, each
   * with the content it wrote: S3 object versions (content: the ETag, the MD5
   * of the body), SSM parameter versions (content: the value) and a security
   * group's rules (content: ruleContent; EC2 keeps no time, so atMs is NaN).
   * DynamoDB keeps only the current item: none.
   */
  async recordedWrites(plan: AwsPlan): Promise<{ content: string; atMs: number }[]> {
    switch (plan.action) {
      case 's3:PutObject':
        return (await this.objectVersions(plan)).filter((v) => v.etag !== undefined).map((v) => ({ content: v.etag as string, atMs: v.atMs }));
      case 'ssm:PutParameter': {
        const out: { content: string; atMs: number }[] = [];
        let token: string | undefined;
        do {
          const page = await this.ssm.send(new GetParameterHistoryCommand({ Name: plan.name, MaxResults: 50, ...(token === undefined ? {} : { NextToken: token }) }));
          for (const p of page.Parameters ?? []) if (p.Value !== undefined) out.push({ content: p.Value, atMs: p.LastModifiedDate?.getTime() ?? Number.NaN });
          token = page.NextToken;
        } while (token !== undefined);
        return out;
      }
      case 'ec2:AuthorizeSecurityGroupIngress': {
        const groups = await this.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [plan.groupId] }));
        return (groups.SecurityGroups?.[0]?.IpPermissions ?? []).flatMap((p) =>
          (p.IpRanges ?? []).map((r) => ({ content: ruleContent({ protocol: p.IpProtocol ?? '', fromPort: p.FromPort ?? -1, toPort: p.ToPort ?? -1, cidr: r.CidrIp ?? '' }), atMs: Number.NaN })),
        );
      }
      case 'dynamodb:UpdateItem':
        return [];
    }
  }

  /** Versions and delete markers of the plan's object key (not of keys it is a prefix of). */
  private async objectVersions(plan: Extract<AwsPlan, { action: 's3:PutObject' }>): Promise<{ versionId: string; etag?: string; atMs: number }[]> {
    const out: { versionId: string; etag?: string; atMs: number }[] = [];
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    for (;;) {
      const page = await this.s3.send(
        new ListObjectVersionsCommand({ Bucket: plan.bucket, Prefix: plan.key, ...(keyMarker === undefined ? {} : { KeyMarker: keyMarker, VersionIdMarker: versionMarker }) }),
      );
      for (const v of page.Versions ?? []) {
        if (v.Key === plan.key && v.VersionId !== undefined) out.push({ versionId: v.VersionId, ...(v.ETag === undefined ? {} : { etag: v.ETag.replaceAll('"', '') }), atMs: v.LastModified?.getTime() ?? Number.NaN });
      }
      for (const m of page.DeleteMarkers ?? []) if (m.Key === plan.key && m.VersionId !== undefined) out.push({ versionId: m.VersionId, atMs: m.LastModified?.getTime() ?? Number.NaN });
      if (page.IsTruncated !== true) return out;
      keyMarker = page.NextKeyMarker;
      versionMarker = page.NextVersionIdMarker;
    }
  }

  /** A new security group with no ingress rules; its id. */
  async createSecurityGroup(name: string): Promise<string> {
    const group = await this.ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: 'SEB bench target group' }));
    if (group.GroupId === undefined) throw new Error(`no id for the new security group ${name}`);
    return group.GroupId;
  }

  async deleteSecurityGroup(groupId: string): Promise<void> {
    await this.ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
  }

  close(): void {
    for (const client of [this.s3, this.ssm, this.ec2, this.ddb]) client.destroy();
  }

  private resources(): AwsResources {
    if (this.r === undefined) throw new TypeError('DirectAws was made without the bootstrap resources');
    return this.r;
  }

  private planOf(action: Action, n: number): AwsPlan {
    return planAws(contractFor(action, this.info, this.resources(), n), { partition: partitionOf(this.info.region), region: this.info.region, accountId: this.info.accountId });
  }

  private async authorize(groupId: string, rule: IngressRule): Promise<void> {
    await this.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [{ IpProtocol: rule.protocol, FromPort: rule.fromPort, ToPort: rule.toPort, IpRanges: [{ CidrIp: rule.cidr }] }],
      }),
    );
  }

  private async revokeAll(groupId: string): Promise<void> {
    const groups = await this.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    const permissions = groups.SecurityGroups?.[0]?.IpPermissions ?? [];
    if (permissions.length > 0) await this.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: permissions }));
  }

  // Writers that are not the broker keep the version discipline too: every write moves it.
  private async setAttributes(plan: Extract<AwsPlan, { action: 'dynamodb:UpdateItem' }>, set: Readonly<Record<string, string | number | boolean>>): Promise<void> {
    const names: Record<string, string> = { '#v': VERSION_ATTRIBUTE };
    const values: Record<string, ReturnType<typeof attributeValue>> = { ':one': { N: '1' }, ':zero': { N: '0' } };
    const sets = Object.entries(set).map(([name, v], i) => {
      names[`#a${i}`] = name;
      values[`:a${i}`] = attributeValue(v);
      return `#a${i} = :a${i}`;
    });
    await this.ddb.send(
      new UpdateItemCommand({
        TableName: plan.table,
        Key: itemKey(plan),
        UpdateExpression: `SET ${sets.join(', ')}, #v = if_not_exists(#v, :zero) + :one`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}

/** A distinct /32 per n for out-of-band rules, apart from the contracts' 10.x.y.0/24. */
function tamperCidr(n: number): string {
  return `172.${16 + (Math.floor(n / 65536) % 16)}.${Math.floor(n / 256) % 256}.${n % 256}/32`;
}
