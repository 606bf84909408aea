// Strict reading of the ARNs a contract may name. An ARN is both what the
// session policy grants and what the adapter calls, so it is parsed exactly
// once, here, into the names the calls use; nothing that could widen a policy
// grant (`*`, `?`, `${...}` policy variables) survives the character sets.
import { InvalidInputError } from '../../core/errors.js';

/** Where the adapter acts: every ARN must name this partition, region and account. */
export interface AwsScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

export type TargetRef =
  | { readonly service: 's3'; readonly bucket: string; readonly key: string }
  | { readonly service: 'ssm'; readonly name: string }
  | { readonly service: 'ec2'; readonly groupId: string }
  | { readonly service: 'dynamodb'; readonly table: string };

export type Service = TargetRef['service'];
export const SERVICES: readonly Service[] = ['s3', 'ssm', 'ec2', 'dynamodb'];

export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
export const ACCOUNT_ID = /^\d{12}$/;

// S3 bucket names (general purpose, no dots: dots break virtual-host TLS and invite IP look-alikes).
const BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
// S3's "safe characters" minus `*` (a policy wildcard); `/`-separated, no empty, `.` or `..` segment.
const KEY_SEGMENT = /^[A-Za-z0-9!_.'()-]+$/;
const MAX_KEY_LENGTH = 512;
// SSM parameter names: hierarchical, always with the leading `/` (see parameterArnName).
const PARAMETER_SEGMENT = /^[A-Za-z0-9_.-]+$/;
const MAX_PARAMETER_LENGTH = 1011;
const MAX_PARAMETER_DEPTH = 15;
const SECURITY_GROUP = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;
const TABLE = /^[A-Za-z0-9_.-]{3,255}$/;

/** The partition a region belongs to. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function parseTargetArn(arn: string, scope: AwsScope): TargetRef {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn') throw bad(arn, 'must be arn:partition:service:region:account:resource');
  const [, partition, service, region, account, resource] = parts as [string, string, string, string, string, string];
  if (partition !== scope.partition) throw bad(arn, `partition must be ${scope.partition}`);
  if (service === 's3') {
    // S3 ARNs carry neither region nor account; the calls pin the owner with ExpectedBucketOwner instead.
    if (region !== '' || account !== '') throw bad(arn, 'an S3 object ARN has empty region and account');
    return s3Object(arn, resource);
  }
  if (region !== scope.region) throw bad(arn, `region must be ${scope.region}`);
  if (account !== scope.accountId) throw bad(arn, `account must be ${scope.accountId}`);
  switch (service) {
    case 'ssm':
      return { service, name: parameterName(arn, resource) };
    case 'ec2':
      return { service, groupId: typed(arn, resource, 'security-group/', SECURITY_GROUP) };
    case 'dynamodb':
      return { service, table: typed(arn, resource, 'table/', TABLE) };
    default:
      throw bad(arn, `service must be one of ${SERVICES.join(', ')}`);
  }
}

/** The canonical ARN of a target: what the session policy grants. */
export function targetArn(ref: TargetRef, scope: AwsScope): string {
  const regional = `arn:${scope.partition}:${ref.service}:${scope.region}:${scope.accountId}`;
  switch (ref.service) {
    case 's3':
      return `arn:${scope.partition}:s3:::${ref.bucket}/${ref.key}`;
    case 'ssm':
      return `${regional}:parameter${ref.name}`;
    case 'ec2':
      return `${regional}:security-group/${ref.groupId}`;
    case 'dynamodb':
      return `${regional}:table/${ref.table}`;
  }
}

function s3Object(arn: string, resource: string): TargetRef {
  const slash = resource.indexOf('/');
  if (slash < 0) throw bad(arn, 'an S3 target is an object: bucket/key');
  const bucket = resource.slice(0, slash);
  const key = resource.slice(slash + 1);
  if (!BUCKET.test(bucket)) throw bad(arn, `bucket must match ${BUCKET.source}`);
  if (key.length > MAX_KEY_LENGTH || !segments(key, KEY_SEGMENT)) throw bad(arn, 'key must be /-separated segments of S3 safe characters');
  return { service: 's3', bucket, key };
}

// AWS writes the ARN of `/a/b` as `parameter/a/b`, and of a flat `a` as
// `parameter/a`, so `parameter/a` is ambiguous (`/a` or `a`). Only names with
// the leading slash are served: the ARN then maps to exactly one name.
function parameterName(arn: string, resource: string): string {
  const path = typed(arn, resource, 'parameter/', /^.+$/);
  const depth = path.split('/').length;
  if (path.length + 1 > MAX_PARAMETER_LENGTH || depth > MAX_PARAMETER_DEPTH || !segments(path, PARAMETER_SEGMENT)) {
    throw bad(arn, 'parameter name must be /-separated segments of [A-Za-z0-9_.-]');
  }
  const first = path.split('/')[0]?.toLowerCase() ?? '';
  if (first.startsWith('aws') || first.startsWith('ssm')) throw bad(arn, 'parameter names under aws or ssm are reserved');
  return `/${path}`;
}

function typed(arn: string, resource: string, prefix: string, pattern: RegExp): string {
  const id = resource.startsWith(prefix) ? resource.slice(prefix.length) : '';
  if (!pattern.test(id)) throw bad(arn, `resource must be ${prefix}${pattern.source}`);
  return id;
}

function segments(path: string, segment: RegExp): boolean {
  return path.split('/').every((s) => segment.test(s) && s !== '.' && s !== '..');
}

function bad(arn: string, why: string): InvalidInputError {
  return new InvalidInputError(`contract: target.arn ${JSON.stringify(arn.slice(0, 200))}: ${why}`);
}
