// The executor role's identity policy: the union of every mutation kind and
// the read each needs. It is the ceiling a session policy narrows; on its own
// it is never handed out (the broker always passes a session policy). Setup
// (the local target's bootstrap, or an operator on real AWS) attaches it.
//
// S3 is scoped to the target buckets. The other services are scoped to `*`
// because moto checks those actions against the resource `*` only (it derives
// a resource ARN for S3, IAM, SQS and STS alone), so a narrower grant would
// deny every call there; on real AWS an operator may narrow them to the
// account's parameters, groups and tables without touching the broker.
import { ACTIONS } from './operations.js';
import { READ_ACTIONS } from './session-policy.js';

export interface ExecutorPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly { readonly Sid: string; readonly Effect: 'Allow'; readonly Action: readonly string[]; readonly Resource: readonly string[] | '*' }[];
}

export function executorRolePolicy(partition: string, buckets: readonly string[]): ExecutorPolicyDocument {
  const pairs = ACTIONS.map((a) => [a, ...READ_ACTIONS[a].map((r) => r.action)] as const);
  const s3 = pairs.filter(([a]) => a.startsWith('s3:')).flat();
  const others = pairs.filter(([a]) => !a.startsWith('s3:')).flat();
  const objects = { Sid: 'TargetObjects', Effect: 'Allow' as const, Action: s3, Resource: buckets.map((b) => `arn:${partition}:s3:::${b}/*`) };
  return {
    Version: '2012-10-17',
    // A statement with no resource is invalid on AWS: without buckets there is no S3 grant at all.
    Statement: [...(buckets.length === 0 ? [] : [objects]), { Sid: 'TargetServices', Effect: 'Allow', Action: others, Resource: '*' }],
  };
}
