// The allowlist: which contracts the AWS adapter can execute, and for each
// the plan. Pure. A contract names the IAM action as its operation and the
// target by ARN:
//
//   {"platform":"aws",
//    "target":{"service":"ssm","arn":"arn:aws:ssm:us-east-1:123456789012:parameter/app/flag"},
//    "operation":"ssm:PutParameter","parameters":{"value":"on"}}
//
// Mutation kinds and the native precondition each has:
//   s3:PutObject                       body           If-Match ETag (If-None-Match * when absent)
//   dynamodb:UpdateItem                key, set       ConditionExpression on the item's `version`
//   ssm:PutParameter                   value          only for creation (Overwrite=false); none
//                                                     for an update: SSM has no conditional write
//   ec2:AuthorizeSecurityGroupIngress  one rule       none: EC2 security groups have no version
// Without a native precondition the drift check narrows the window before
// the write but cannot close it; docs/design.md section 2.3 asks for one only "where the
// platform has one".
import type { Contract } from '../../core/certificate/contract.js';
import { InvalidInputError } from '../../core/errors.js';
import type { MutationPlan } from '../../core/ports/platform.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/strict-json.js';
import { parseTargetArn, SERVICES, targetArn, type AwsScope, type Service } from './arn.js';

export const ACTIONS = ['s3:PutObject', 'ssm:PutParameter', 'ec2:AuthorizeSecurityGroupIngress', 'dynamodb:UpdateItem'] as const;
export type Action = (typeof ACTIONS)[number];

/** The attribute that versions a DynamoDB item: the UpdateItem precondition compares it and increments it. */
export const VERSION_ATTRIBUTE = 'version';

export type ScalarValue = string | number | boolean;

export interface IngressRule {
  readonly protocol: 'tcp' | 'udp';
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidr: string;
}

interface PlanBase extends MutationPlan {
  readonly platform: 'aws';
  readonly action: Action;
  /** The canonical ARN of the target: what the session policy grants. */
  readonly arn: string;
}

export type AwsPlan =
  | (PlanBase & { readonly action: 's3:PutObject'; readonly bucket: string; readonly key: string; readonly body: string })
  | (PlanBase & { readonly action: 'ssm:PutParameter'; readonly name: string; readonly value: string })
  | (PlanBase & { readonly action: 'ec2:AuthorizeSecurityGroupIngress'; readonly groupId: string; readonly rule: IngressRule })
  | (PlanBase & {
      readonly action: 'dynamodb:UpdateItem';
      readonly table: string;
      readonly key: Readonly<Record<string, string | number>>;
      readonly set: Readonly<Record<string, ScalarValue>>;
    });

const MAX_BODY_BYTES = 64 * 1024;
const MAX_PARAMETER_VALUE = 4096; // a standard-tier parameter
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const MAX_SET = 16;
const MAX_ATTRIBUTE_STRING = 4096;
const CIDR4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function planAws(contract: Contract, scope: AwsScope): AwsPlan {
  only(contract.target, ['service', 'arn'], 'target');
  const { service, arn } = contract.target;
  if (typeof service !== 'string' || !(SERVICES as readonly string[]).includes(service)) {
    throw new InvalidInputError(`contract: target.service must be one of ${SERVICES.join(', ')}`);
  }
  if (typeof arn !== 'string') throw new InvalidInputError('contract: target.arn must be a string');
  const ref = parseTargetArn(arn, scope);
  if (ref.service !== service) throw new InvalidInputError(`contract: target.service ${service} differs from the ARN's ${ref.service}`);
  const action = actionOf(contract.operation, service);
  const canonical = targetArn(ref, scope);
  const base = { platform: 'aws' as const, contract, arn: canonical, shape: `aws:${action}:${canonical}` };
  const p = contract.parameters;
  switch (ref.service) {
    case 's3':
      only(p, ['body'], 'parameters');
      return { ...base, action: 's3:PutObject', bucket: ref.bucket, key: ref.key, body: text(p.body, MAX_BODY_BYTES, 'parameters.body') };
    case 'ssm':
      only(p, ['value'], 'parameters');
      return { ...base, action: 'ssm:PutParameter', name: ref.name, value: nonEmpty(text(p.value, MAX_PARAMETER_VALUE, 'parameters.value'), 'parameters.value') };
    case 'ec2':
      return { ...base, action: 'ec2:AuthorizeSecurityGroupIngress', groupId: ref.groupId, rule: ingressRule(p) };
    case 'dynamodb': {
      only(p, ['key', 'set'], 'parameters');
      const key = itemKey(p.key);
      return { ...base, action: 'dynamodb:UpdateItem', table: ref.table, key, set: attributes(p.set, Object.keys(key)) };
    }
  }
}

function actionOf(operation: string, service: Service): Action {
  const action = ACTIONS.find((a) => a === operation);
  if (action === undefined) throw new InvalidInputError(`contract: operation must be one of ${ACTIONS.join(', ')}`);
  if (!action.startsWith(`${service}:`)) throw new InvalidInputError(`contract: operation ${action} does not act on ${service}`);
  return action;
}

function ingressRule(p: JsonObject): IngressRule {
  only(p, ['protocol', 'fromPort', 'toPort', 'cidr'], 'parameters');
  if (p.protocol !== 'tcp' && p.protocol !== 'udp') throw new InvalidInputError('contract: parameters.protocol must be tcp or udp');
  const fromPort = integer(p.fromPort, 0, 65535, 'parameters.fromPort');
  const toPort = integer(p.toPort, fromPort, 65535, 'parameters.toPort');
  return { protocol: p.protocol, fromPort, toPort, cidr: cidr4(p.cidr) };
}

// Canonical IPv4 CIDR only (no leading zeros, no host bits): the live state
// lists rules as EC2 returns them, and EC2 returns the canonical form.
function cidr4(v: JsonValue | undefined): string {
  const m = typeof v === 'string' ? CIDR4.exec(v) : null;
  const octets = m?.slice(1, 5).map(Number) ?? [];
  const prefix = Number(m?.[5]);
  const canonical = m !== null && octets.every((o, i) => o <= 255 && String(o) === m[i + 1]) && prefix <= 32 && String(prefix) === m[5];
  const address = octets.reduce((a, o) => a * 256 + o, 0);
  if (!canonical || address % 2 ** (32 - prefix) !== 0) {
    throw new InvalidInputError('contract: parameters.cidr must be a canonical IPv4 CIDR (a.b.c.d/n, no host bits)');
  }
  return v as string;
}

function itemKey(v: JsonValue | undefined): Record<string, string | number> {
  if (!isJsonObject(v)) throw new InvalidInputError('contract: parameters.key must be an object');
  const names = Object.keys(v);
  // A partition key, and a sort key where the table has one.
  if (names.length < 1 || names.length > 2) throw new InvalidInputError('contract: parameters.key must have one or two attributes');
  const key: Record<string, string | number> = {};
  for (const name of names) {
    const value = scalar(v[name], `parameters.key.${attributeName(name, 'parameters.key')}`);
    if (typeof value === 'boolean' || value === '') throw new InvalidInputError('contract: key attributes are non-empty strings or integers');
    key[name] = value;
  }
  return key;
}

function attributes(v: JsonValue | undefined, keyNames: readonly string[]): Record<string, ScalarValue> {
  if (!isJsonObject(v)) throw new InvalidInputError('contract: parameters.set must be an object');
  const names = Object.keys(v);
  if (names.length < 1 || names.length > MAX_SET) throw new InvalidInputError(`contract: parameters.set must have 1 to ${MAX_SET} attributes`);
  const set: Record<string, ScalarValue> = {};
  for (const name of names) {
    attributeName(name, 'parameters.set');
    if (keyNames.includes(name) || name === VERSION_ATTRIBUTE) {
      throw new InvalidInputError(`contract: parameters.set may not write the key or ${VERSION_ATTRIBUTE}`);
    }
    set[name] = scalar(v[name], `parameters.set.${name}`);
  }
  return set;
}

function attributeName(name: string, what: string): string {
  if (!ATTRIBUTE_NAME.test(name)) throw new InvalidInputError(`contract: ${what} attribute names must match ${ATTRIBUTE_NAME.source}`);
  return name;
}

// Integers only: a JSON number and a DynamoDB N must mean the same value both ways.
function scalar(v: JsonValue | undefined, what: string): ScalarValue {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && v.length <= MAX_ATTRIBUTE_STRING) return v;
  throw new InvalidInputError(`contract: ${what} must be a string (up to ${MAX_ATTRIBUTE_STRING}), a safe integer or a boolean`);
}

function text(v: JsonValue | undefined, maxBytes: number, what: string): string {
  if (typeof v !== 'string' || Buffer.byteLength(v, 'utf8') > maxBytes) throw new InvalidInputError(`contract: ${what} must be a string of at most ${maxBytes} bytes`);
  return v;
}

function nonEmpty(v: string, what: string): string {
  if (v === '') throw new InvalidInputError(`contract: ${what} must not be empty`);
  return v;
}

function integer(v: JsonValue | undefined, min: number, max: number, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new InvalidInputError(`contract: ${what} must be an integer from ${min} to ${max}`);
  return v;
}

function only(o: JsonObject, allowed: readonly string[], what: string): void {
  for (const name of Object.keys(o)) {
    if (!allowed.includes(name)) throw new InvalidInputError(`contract: ${what} has unknown member ${JSON.stringify(name)}`);
  }
  for (const name of allowed) {
    if (o[name] === undefined) throw new InvalidInputError(`contract: ${what}.${name} is required`);
  }
}
