// Inline session policies passed to AssumeRole. A session's permissions are
// the intersection of the executor role's identity policy and its session
// policy, so each policy here names one action on one ARN and nothing else:
// no wildcard, no condition, no NotAction or NotResource (an allow-list
// statement cannot be read as more than it says).
//
// The mutation session needs no read action: an S3 write conditioned by
// If-Match and a DynamoDB write conditioned by ConditionExpression are each
// authorized by the write action alone. The live-state read is a separate
// session with its own one-action policy, so the write credential can never
// read and the read credential can never write.
import type { Action, AwsPlan } from './operations.js';

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: string;
  readonly Resource: string;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** The read the live-state projection makes before each mutation kind. */
export const READ_ACTION: Readonly<Record<Action, string>> = {
  's3:PutObject': 's3:GetObject', // HeadObject is authorized as s3:GetObject
  'ssm:PutParameter': 'ssm:GetParameter',
  'ec2:AuthorizeSecurityGroupIngress': 'ec2:DescribeSecurityGroups',
  'dynamodb:UpdateItem': 'dynamodb:GetItem',
};

/** Exactly the certified action on the certified resource. */
export function sessionPolicy(plan: AwsPlan): PolicyDocument {
  return single('Certified', plan.action, plan.arn);
}

/** Exactly the read the live state needs. EC2's Describe* actions support no resource-level scope, so that one is `*`. */
export function readPolicy(plan: AwsPlan): PolicyDocument {
  const action = READ_ACTION[plan.action];
  return single('LiveState', action, plan.action === 'ec2:AuthorizeSecurityGroupIngress' ? '*' : plan.arn);
}

function single(sid: string, action: string, resource: string): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Action: action, Resource: resource }] };
}
