// What the `pre` digest covers for each mutation kind: the fields the
// mutation sets or that decide what it means, not the whole resource, so
// that an unrelated change (an object's tags, another item attribute) is not
// drift. Pure: the inputs are the SDK's read responses, or their absence.
// The version is the native precondition the write is conditioned on, where
// the service has one; it stays out of the digest (drift.ts: A-B-A is not drift).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { IpPermission } from '@aws-sdk/client-ec2';
import { IoError } from '../../core/errors.js';
import type { LiveState } from '../../core/predicates/drift.js';
import type { JsonObject, JsonValue } from '../../core/strict-json.js';
import { VERSION_ATTRIBUTE } from './operations.js';

/** The headers of an object that a PutObject replaces and can set again, by their SDK names. */
export const OBJECT_HEADERS = ['CacheControl', 'ContentDisposition', 'ContentEncoding', 'ContentLanguage', 'ContentType', 'StorageClass', 'WebsiteRedirectLocation'] as const;
export type ObjectHeader = (typeof OBJECT_HEADERS)[number];

/** What HeadObject returns that a PutObject would replace. */
export type ObjectHead = { readonly [H in ObjectHeader]?: string } & {
  readonly ETag?: string;
  readonly Metadata?: Record<string, string>;
  readonly ServerSideEncryption?: string;
  readonly SSEKMSKeyId?: string;
  readonly BucketKeyEnabled?: boolean;
};

/**
 * An S3 object: its content (the ETag stands for it), and every attribute a
 * PutObject would otherwise replace (headers, user metadata, server-side
 * encryption) or drop (tags, counted by GetObjectTagging). The write carries
 * the first kind forward and is refused for the second (write-inputs.ts), so
 * all of them are certified here.
 */
export function projectObject(head: ObjectHead | undefined, tagCount: number): LiveState {
  if (head === undefined) return { state: { exists: false } };
  if (head.ETag === undefined) throw new IoError('HeadObject returned no ETag');
  const headers: JsonObject = {};
  for (const name of OBJECT_HEADERS) if (head[name] !== undefined) headers[name] = head[name];
  const metadata: JsonObject = {};
  for (const name of Object.keys(head.Metadata ?? {}).sort()) metadata[name] = head.Metadata?.[name] ?? '';
  const state: JsonObject = {
    exists: true,
    etag: head.ETag,
    headers,
    metadata,
    encryption: head.ServerSideEncryption ?? null,
    kmsKeyId: head.SSEKMSKeyId ?? null,
    bucketKey: head.BucketKeyEnabled ?? null,
    tags: tagCount,
  };
  return { state, version: head.ETag };
}

/** What GetParameter and DescribeParameters say of a parameter. */
export interface ParameterRead {
  readonly Type?: string;
  readonly Value?: string;
  readonly Version?: number;
  /** DescribeParameters only: the KMS key of a SecureString, its tier and data type. */
  readonly KeyId?: string;
  readonly Tier?: string;
  readonly DataType?: string;
}

/** What DescribeParameters lists of one parameter. */
export interface ParameterMetadata {
  readonly Version?: number;
  readonly KeyId?: string;
  readonly Tier?: string;
  readonly DataType?: string;
}

/**
 * GetParameter's answer completed by DescribeParameters'. The two are read
 * at once, so each must have seen the same version of the parameter:
 * otherwise it was written between them and the pair describes no single
 * state (the read fails, and the broker denies for drift).
 */
export function parameterRead(got: ParameterRead, described: ParameterMetadata): ParameterRead {
  if (got.Version === undefined || got.Version !== described.Version) {
    throw new IoError(`GetParameter saw version ${got.Version ?? 'none'} and DescribeParameters ${described.Version ?? 'none'}: the parameter changed while it was read`);
  }
  return { ...got, ...(described.KeyId === undefined ? {} : { KeyId: described.KeyId }), ...(described.Tier === undefined ? {} : { Tier: described.Tier }), ...(described.DataType === undefined ? {} : { DataType: described.DataType }) };
}

/**
 * An SSM parameter: its value and what an overwrite must keep (type, KMS
 * key, tier, data type). Its Version cannot condition a write, but is
 * reported. A SecureString's value is read without decryption: the broker
 * never holds the secret.
 */
export function projectParameter(p: ParameterRead | undefined): LiveState {
  if (p === undefined) return { state: { exists: false } };
  const state = { exists: true, type: p.Type ?? null, value: p.Value ?? null, keyId: p.KeyId ?? null, tier: p.Tier ?? null, dataType: p.DataType ?? null };
  return p.Version === undefined ? { state } : { state, version: String(p.Version) };
}

/**
 * A security group's ingress, one string per granted (protocol, ports, source),
 * sorted and de-duplicated: EC2 groups and orders rules as it likes.
 */
export function projectIngress(permissions: readonly IpPermission[]): LiveState {
  const rules = new Set<string>();
  for (const p of permissions) {
    const ports = p.IpProtocol === '-1' ? 'all' : `${p.FromPort ?? ''}-${p.ToPort ?? ''}`;
    const rule = (source: string | undefined) => rules.add(ingressRuleName(p.IpProtocol ?? '', ports, source ?? ''));
    for (const r of p.IpRanges ?? []) rule(r.CidrIp);
    for (const r of p.Ipv6Ranges ?? []) rule(r.CidrIpv6);
    for (const r of p.UserIdGroupPairs ?? []) rule(r.GroupId);
    for (const r of p.PrefixListIds ?? []) rule(r.PrefixListId);
  }
  return { state: { ingress: [...rules].sort() } };
}

/** One granted (protocol, ports, source) as the ingress projection lists it. */
export function ingressRuleName(protocol: string, ports: string, source: string): string {
  return `${protocol}:${ports}:${source}`;
}

/** A DynamoDB item: the attributes the update sets, in DynamoDB's typed form; its `version` is the precondition. */
export function projectItem(item: Record<string, AttributeValue> | undefined, names: readonly string[]): LiveState {
  if (item === undefined) return { state: { exists: false } };
  const attributes: JsonObject = {};
  for (const name of [...names].sort()) attributes[name] = typedValue(item[name], name);
  const version = item[VERSION_ATTRIBUTE]?.N;
  // The write increments it: only a plain counter can be carried forward exactly.
  if (version !== undefined && !/^\d{1,15}$/.test(version)) throw new IoError(`item ${VERSION_ATTRIBUTE} ${version} is not a non-negative integer`);
  const state = { exists: true, attributes };
  return version === undefined ? { state } : { state, version };
}

// Scalars only: the adapter writes scalars, and a value of another type
// (set, list, map, binary) cannot be compared here, so the read fails and
// the broker denies for drift rather than certify what it cannot see.
function typedValue(v: AttributeValue | undefined, name: string): JsonValue {
  if (v === undefined) return null;
  if (v.S !== undefined) return { S: v.S };
  if (v.N !== undefined) return { N: v.N };
  if (v.BOOL !== undefined) return { BOOL: v.BOOL };
  if (v.NULL !== undefined) return { NULL: true };
  throw new IoError(`item attribute ${name} is not a scalar`);
}
