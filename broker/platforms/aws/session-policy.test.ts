// What moto cannot show (it stores session policies and never applies them),
// checked with an IAM policy simulator: a minted session, whose permissions
// are its session policy intersected with the executor role's identity
// policy, may do the certified action on the certified ARN and nothing else.
// The role alone would allow each of the refused requests, so every denial
// here is the session policy's doing. Property-tested over generated
// contracts of every kind.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Contract } from '../../core/certificate/contract.js';
import { executorRolePolicy } from './executor-policy.js';
import { planAws, type Action, type AwsPlan } from './operations.js';
import { READ_ACTIONS, readPolicy, sessionPolicy, type PolicyDocument } from './session-policy.js';

const ACCOUNT = '123456789012';
const scope = { partition: 'aws', region: 'us-east-1', accountId: ACCOUNT };
const PRINCIPAL = `arn:aws:sts::${ACCOUNT}:assumed-role/seb-executor/jti-1`;

/** A destructive action on the same resource type, never granted to the executor. */
const DESTRUCTIVE: Readonly<Record<Action, string>> = {
  's3:PutObject': 's3:DeleteObject',
  'ssm:PutParameter': 'ssm:DeleteParameter',
  'ec2:AuthorizeSecurityGroupIngress': 'ec2:RevokeSecurityGroupIngress',
  'dynamodb:UpdateItem': 'dynamodb:DeleteItem',
};

type Result = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

type Context = Record<string, string | string[]>;

async function simulate(action: string, resource: string, role: object, session: PolicyDocument | undefined, context: Context = {}): Promise<Result> {
  const response = await runSimulation(
    {
      request: { principal: PRINCIPAL, action, resource: { resource, accountId: ACCOUNT }, contextVariables: context },
      identityPolicies: [{ name: 'executor', policy: role }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(session === undefined ? {} : { sessionPolicy: session }),
    },
    {},
  );
  if (response.resultType === 'error') throw new Error(`simulation input refused: ${JSON.stringify(response.errors)}`);
  return response.overallResult as Result;
}

// Generated names stay inside what the adapter accepts (arn.ts).
const segment = (chars: RegExp) => fc.stringMatching(chars).filter((s) => s !== '.' && s !== '..');
const path = (chars: RegExp) => fc.array(segment(chars), { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
const bucket = fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$/);
const objectKey = path(/^[A-Za-z0-9!_.'()-]{1,12}$/);
const parameter = path(/^[A-Za-z0-9_.-]{1,12}$/).filter((p) => !/^(aws|ssm)/i.test(p));
const groupId = fc.stringMatching(/^sg-[0-9a-f]{17}$/);
const table = fc.stringMatching(/^[A-Za-z0-9_.-]{3,24}$/);

interface Case {
  readonly contract: Contract;
  /** The same kind of resource under another name, same account and region. */
  readonly otherName: string;
  /** The same name elsewhere: another bucket, another region. */
  readonly otherResource: string;
  /** Buckets the role covers (the other bucket too, so that only the session policy can refuse it). */
  readonly buckets: readonly string[];
}

const regional = (service: string, region = 'us-east-1') => `arn:aws:${service}:${region}:${ACCOUNT}`;
const OTHER_REGION = 'eu-west-1';

const cases: Record<Action, fc.Arbitrary<Case>> = {
  's3:PutObject': fc.tuple(bucket, objectKey, objectKey, bucket).filter(([b, k, k2, b2]) => k !== k2 && b !== b2).map(([b, k, k2, b2]) => ({
    contract: { platform: 'aws', target: { service: 's3', arn: `arn:aws:s3:::${b}/${k}` }, operation: 's3:PutObject', parameters: { body: 'x' } },
    otherName: `arn:aws:s3:::${b}/${k2}`,
    otherResource: `arn:aws:s3:::${b2}/${k}`,
    buckets: [b, b2],
  })),
  'ssm:PutParameter': fc.tuple(parameter, parameter).filter(([p, p2]) => p !== p2).map(([p, p2]) => ({
    contract: { platform: 'aws', target: { service: 'ssm', arn: `${regional('ssm')}:parameter/${p}` }, operation: 'ssm:PutParameter', parameters: { value: 'on' } },
    otherName: `${regional('ssm')}:parameter/${p2}`,
    otherResource: `${regional('ssm', OTHER_REGION)}:parameter/${p}`,
    buckets: [],
  })),
  'ec2:AuthorizeSecurityGroupIngress': fc.tuple(groupId, groupId).filter(([g, g2]) => g !== g2).map(([g, g2]) => ({
    contract: {
      platform: 'aws',
      target: { service: 'ec2', arn: `${regional('ec2')}:security-group/${g}` },
      operation: 'ec2:AuthorizeSecurityGroupIngress',
      parameters: { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '10.0.0.0/8' },
    },
    otherName: `${regional('ec2')}:security-group/${g2}`,
    otherResource: `${regional('ec2', OTHER_REGION)}:security-group/${g}`,
    buckets: [],
  })),
  'dynamodb:UpdateItem': fc.tuple(table, table).filter(([t, t2]) => t !== t2).map(([t, t2]) => ({
    contract: { platform: 'aws', target: { service: 'dynamodb', arn: `${regional('dynamodb')}:table/${t}` }, operation: 'dynamodb:UpdateItem', parameters: { key: { id: 'k' }, set: { mode: 'on' } } },
    otherName: `${regional('dynamodb')}:table/${t2}`,
    otherResource: `${regional('dynamodb', OTHER_REGION)}:table/${t}`,
    buckets: [],
  })),
};

/** The request context AWS sends with the certified call (DynamoDB's fine-grained keys), as UpdateItem would for the plan. */
function certifiedContext(plan: AwsPlan): Context {
  if (plan.action !== 'dynamodb:UpdateItem') return {};
  return {
    'dynamodb:LeadingKeys': [String(Object.values(plan.key)[0])],
    'dynamodb:Attributes': [...Object.keys(plan.key), ...Object.keys(plan.set), 'version'],
    'dynamodb:ReturnValues': 'NONE',
  };
}

/** The context of the drift check's GetItem: the item's partition, the projected attributes. */
function readContext(plan: Extract<AwsPlan, { action: 'dynamodb:UpdateItem' }>): Context {
  return {
    'dynamodb:LeadingKeys': [String(Object.values(plan.key)[0])],
    'dynamodb:Attributes': [...Object.keys(plan.key), ...Object.keys(plan.set), 'version'],
    'dynamodb:Select': 'SPECIFIC_ATTRIBUTES',
  };
}

/** Each read the live state makes: where it goes and the context it carries. */
function reads(plan: AwsPlan): [string, string, Context][] {
  return READ_ACTIONS[plan.action].map((r) => {
    if (r.anyResource) return [r.action, '*', { 'aws:RequestedRegion': 'us-east-1' }];
    if (plan.action === 'dynamodb:UpdateItem') return [r.action, plan.arn, readContext(plan)];
    return [r.action, plan.arn, {}];
  });
}

describe.each(Object.keys(cases) as Action[])('%s session policies, intersected with the executor role', (action) => {
  it('allow exactly the certified action on the certified ARN', async () => {
    await fc.assert(
      fc.asyncProperty(cases[action], async (c) => {
        const plan = planAws(c.contract, scope);
        const role = executorRolePolicy('aws', c.buckets);
        const session = sessionPolicy(plan);
        const context = certifiedContext(plan);
        expect(await simulate(plan.action, plan.arn, role, session, context)).toBe('Allowed');
        const refused: [string, string][] = [
          ...reads(plan).map(([a, r]): [string, string] => [a, r]), // other actions the role allows
          [DESTRUCTIVE[plan.action], plan.arn], // another action
          [plan.action, c.otherResource], // another resource
          [plan.action, c.otherName], // another name of the same type
        ];
        for (const [a, resource] of refused) {
          expect(await simulate(a, resource, role, session, context), `${a} on ${resource}`).toMatch(/Denied$/);
        }
        // The role alone allows the certified action elsewhere: the narrowing is the session policy's.
        expect(await simulate(plan.action, c.otherName, role, undefined, context)).toBe('Allowed');
      }),
      { numRuns: 50 }, // about 6 simulations of some 5 ms each per run
    );
  });

  it('read policies allow the reads and never the mutation', async () => {
    await fc.assert(
      fc.asyncProperty(cases[action], async (c) => {
        const plan = planAws(c.contract, scope);
        const role = executorRolePolicy('aws', c.buckets);
        const session = readPolicy(plan);
        for (const [a, resource, context] of reads(plan)) {
          expect(await simulate(a, resource, role, session, context), `${a} on ${resource}`).toBe('Allowed');
          // A read that cannot be scoped to the target is held to its region.
          if (resource === '*') expect(await simulate(a, resource, role, session, { 'aws:RequestedRegion': OTHER_REGION })).toMatch(/Denied$/);
        }
        expect(await simulate(plan.action, plan.arn, role, session, certifiedContext(plan))).toMatch(/Denied$/);
      }),
      { numRuns: 25 },
    );
  });
});

const attribute = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,11}$/).filter((a) => a !== 'version' && a !== 'id');
const keyValue = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), fc.integer({ min: 0, max: 1_000_000 }));

describe('dynamodb:UpdateItem session policy, per item and attribute', () => {
  const itemCase = fc
    .record({ key: keyValue, otherKey: keyValue, set: fc.uniqueArray(attribute, { minLength: 1, maxLength: 4 }), otherAttribute: attribute })
    .filter((c) => String(c.key) !== String(c.otherKey) && !c.set.includes(c.otherAttribute));

  it('refuses an UpdateItem (and a GetItem) of another item, of another attribute, or returning values', async () => {
    await fc.assert(
      fc.asyncProperty(itemCase, async (c) => {
        const plan = planAws(
          {
            platform: 'aws',
            target: { service: 'dynamodb', arn: `${regional('dynamodb')}:table/settings` },
            operation: 'dynamodb:UpdateItem',
            parameters: { key: { id: c.key }, set: Object.fromEntries(c.set.map((a) => [a, 'on'])) },
          },
          scope,
        );
        const role = executorRolePolicy('aws', []);
        const session = sessionPolicy(plan);
        const certified = certifiedContext(plan);
        expect(await simulate(plan.action, plan.arn, role, session, certified)).toBe('Allowed');
        const refused: [string, Context][] = [
          ['another item', { ...certified, 'dynamodb:LeadingKeys': [String(c.otherKey)] }],
          ['another attribute', { ...certified, 'dynamodb:Attributes': [...(certified['dynamodb:Attributes'] as string[]), c.otherAttribute] }],
          ['old values returned', { ...certified, 'dynamodb:ReturnValues': 'ALL_OLD' }],
          ['no partition key in the request', { 'dynamodb:Attributes': certified['dynamodb:Attributes'] as string[], 'dynamodb:ReturnValues': 'NONE' }],
        ];
        for (const [what, context] of refused) expect(await simulate(plan.action, plan.arn, role, session, context), what).toMatch(/Denied$/);
        // The role alone would allow each of them.
        for (const [what, context] of refused) expect(await simulate(plan.action, plan.arn, role, undefined, context), what).toBe('Allowed');
        // The read session is held to the item's partition and attributes too.
        if (plan.action !== 'dynamodb:UpdateItem') throw new Error('planned another kind');
        const read = readContext(plan);
        expect(await simulate('dynamodb:GetItem', plan.arn, role, readPolicy(plan), read)).toBe('Allowed');
        const refusedReads: [string, Context][] = [
          ['another item', { ...read, 'dynamodb:LeadingKeys': [String(c.otherKey)] }],
          ['another attribute', { ...read, 'dynamodb:Attributes': [...(read['dynamodb:Attributes'] as string[]), c.otherAttribute] }],
          ['all attributes', { 'dynamodb:LeadingKeys': read['dynamodb:LeadingKeys'] as string[], 'dynamodb:Select': 'ALL_ATTRIBUTES' }],
        ];
        for (const [what, context] of refusedReads) expect(await simulate('dynamodb:GetItem', plan.arn, role, readPolicy(plan), context), `read of ${what}`).toMatch(/Denied$/);
      }),
      { numRuns: 40 },
    );
  });
});

describe('session policy documents', () => {
  it('are one Allow statement with no wildcard (and, outside DynamoDB, no condition)', () => {
    const plan = planAws(
      { platform: 'aws', target: { service: 'ssm', arn: `${regional('ssm')}:parameter/app/flag` }, operation: 'ssm:PutParameter', parameters: { value: 'on' } },
      scope,
    );
    expect(sessionPolicy(plan)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'Certified', Effect: 'Allow', Action: 'ssm:PutParameter', Resource: `${regional('ssm')}:parameter/app/flag` }],
    });
  });
});
