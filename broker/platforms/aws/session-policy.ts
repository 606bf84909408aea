// Inline session policies passed to AssumeRole. A session's permissions are
// the intersection of the executor role's identity policy and its session
// policy, so each policy here names the certified action on the certified
// ARN and nothing else: no wildcard in an action or a target ARN, no
// NotAction or NotResource (an allow-list statement cannot be read as more
// than it says). Conditions only narrow a statement further.
//
// The mutation session needs no read action: an S3 write conditioned by
// If-Match and a DynamoDB write conditioned by ConditionExpression are each
// authorized by the write action alone. The live-state read is a separate
// session with its own read-only policy, so the write credential can never
// read and the read credential can never write.
import { itemAttributes } from './dynamodb-update.js';
import type { Action, AwsPlan } from './operations.js';

export type PolicyCondition = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: string;
  readonly Resource: string;
  readonly Condition?: PolicyCondition;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** A read the live-state projection makes; `anyResource` where the action supports no resource-level scope. */
export interface ReadAction {
  readonly action: string;
  readonly anyResource: boolean;
}

/** The reads the live-state projection makes before each mutation kind (live-state.ts). */
export const READ_ACTIONS: Readonly<Record<Action, readonly ReadAction[]>> = {
  's3:PutObject': [
    { action: 's3:GetObject', anyResource: false }, // HeadObject is authorized as s3:GetObject
    { action: 's3:GetObjectTagging', anyResource: false },
  ],
  // DescribeParameters (for a SecureString's key and the tier) has no resource-level scope.
  'ssm:PutParameter': [
    { action: 'ssm:GetParameter', anyResource: false },
    { action: 'ssm:DescribeParameters', anyResource: true },
  ],
  // EC2's Describe* actions have no resource-level scope at all.
  'ec2:AuthorizeSecurityGroupIngress': [{ action: 'ec2:DescribeSecurityGroups', anyResource: true }],
  'dynamodb:UpdateItem': [{ action: 'dynamodb:GetItem', anyResource: false }],
};

/**
 * Exactly the certified action on the certified resource. A DynamoDB grant is
 * narrowed to the certified item and attributes as far as IAM can say it:
 * `dynamodb:LeadingKeys` scopes by partition key only (the plan does not know
 * which key attribute is the partition key, so each key value is admitted; the
 * sort key is held by the call's Key), `dynamodb:Attributes` to the key, the
 * set attributes and the version, and `ReturnValues`/`Select` as AWS's
 * fine-grained access examples require, so nothing else is returned either.
 */
export function sessionPolicy(plan: AwsPlan): PolicyDocument {
  if (plan.action === 'dynamodb:UpdateItem') {
    return document({
      Sid: 'Certified',
      Effect: 'Allow',
      Action: plan.action,
      Resource: plan.arn,
      Condition: {
        ...itemConditions(plan),
        StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE', 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
      },
    });
  }
  return document({ Sid: 'Certified', Effect: 'Allow', Action: plan.action, Resource: plan.arn });
}

/**
 * Exactly the reads the live state needs: on the target where the action can
 * be scoped to it, else on `*` held to the target's region. A DynamoDB read is
 * held to the certified item's partition and attributes.
 */
export function readPolicy(plan: AwsPlan): PolicyDocument {
  return document(
    ...READ_ACTIONS[plan.action].map((read, i): PolicyStatement => {
      const statement = { Sid: `LiveState${i}`, Effect: 'Allow' as const, Action: read.action };
      if (read.anyResource) return { ...statement, Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': regionOf(plan.arn) } } };
      if (plan.action === 'dynamodb:UpdateItem') {
        // The read projects only the plan's attributes (live-state.ts), so it is held to them too.
        return { ...statement, Resource: plan.arn, Condition: { ...itemConditions(plan), StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' } } };
      }
      return { ...statement, Resource: plan.arn };
    }),
  );
}

/** The certified item's partition (each key value: see sessionPolicy) and attributes. */
function itemConditions(plan: Extract<AwsPlan, { action: 'dynamodb:UpdateItem' }>): PolicyCondition {
  return {
    'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [...new Set(Object.values(plan.key).map(String))].sort(), 'dynamodb:Attributes': itemAttributes(plan) },
    // ForAllValues holds for a request without the key: require it, so the grant is never vacuous.
    Null: { 'dynamodb:LeadingKeys': 'false' },
  };
}

/** The region of a regional ARN (every target an `anyResource` read serves is regional). */
function regionOf(arn: string): string {
  return arn.split(':')[3] ?? '';
}

function document(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}
