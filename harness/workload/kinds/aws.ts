// The AWS mutation kinds: a pool of S3 objects (in the target's bucket), SSM
// parameters, security groups or DynamoDB items (in the target's table), made
// and removed with the admin credential; contract i writes slot i % size
// (contracts as aws-kinds.ts writes them, one slot standing for the
// bootstrap's single target); the direct path applies the same plan with the
// admin credential and no precondition; the out-of-band change writes what
// the projection covers, distinct per change.
import { createHash } from 'node:crypto';
import type { Contract } from '../../../broker/core/certificate/contract.js';
import type { AwsPlan, Action } from '../../../broker/platforms/aws/operations.js';
import type { Coverage } from '../../validate/platform-writes.js';
import type { AwsResources } from '../../targets/local/aws-bootstrap.js';
import { contractFor, ruleContent, type DirectAws } from '../../targets/local/aws-kinds.js';
import type { AwsTarget } from '../../../broker/platforms/target-info.js';
import type { MutationKind } from '../mutation.js';
import { eachLimited, preStateThrough, SETUP_CONCURRENCY, slotOf, type Pool, type StateReader } from './shared.js';

export interface AwsKindContext {
  /** The standing credential: setup, the direct path, out-of-band changes. */
  readonly admin: DirectAws;
  /** The broker's identity (its adapter): plans contracts and reads what the SAB certifies. */
  readonly reader: StateReader;
}

export interface AwsPoolOptions {
  readonly target: AwsTarget;
  /** The bucket the executor role may write (the bootstrap's) and the table whose items the pool adds. */
  readonly bucket: string;
  readonly table: string;
  readonly pool: Pool;
}

type KindName = 'ssm-put-parameter' | 's3-put-object' | 'ec2-authorize-ingress' | 'dynamodb-update-item';

const ACTIONS: Readonly<Record<KindName, Action>> = {
  'ssm-put-parameter': 'ssm:PutParameter',
  's3-put-object': 's3:PutObject',
  'ec2-authorize-ingress': 'ec2:AuthorizeSecurityGroupIngress',
  'dynamodb-update-item': 'dynamodb:UpdateItem',
};

type Creatable = Exclude<AwsPlan, { action: 'ec2:AuthorizeSecurityGroupIngress' }>;

const EC2_LAYERS = 16;

/** moto keeps no CloudTrail: what the platform's own state lets the validator count, per kind. */
export const AWS_COVERAGE: Readonly<Record<Exclude<Action, 'dynamodb:UpdateItem'>, Coverage>> = {
  's3:PutObject': {
    platform: 'aws',
    source: 'S3 object versions (versioned bucket), matched to certificates by ETag (the MD5 of the body each contract writes)',
    operations: ['s3-put-object'],
    counted: ['each PutObject of a pool object, per certificate'],
    notCounted: ['who wrote a version (moto records no writer): an executor writing content no certificate of the run carries is not seen'],
  },
  'ssm:PutParameter': {
    platform: 'aws',
    source: 'SSM parameter history (GetParameterHistory), matched to certificates by the value each contract writes',
    operations: ['ssm-put-parameter'],
    counted: ['each PutParameter of a pool parameter, per certificate'],
    notCounted: ['who wrote a version (moto records no writer)'],
  },
  'ec2:AuthorizeSecurityGroupIngress': {
    platform: 'aws',
    source: "the pool's security group rules (DescribeSecurityGroups), matched to certificates by the rule each contract adds",
    operations: ['ec2-authorize-ingress'],
    counted: ['whether each certificate\'s rule is there: an execution after a denial, or with no decision, is seen'],
    notCounted: [
      'a second execution of one certificate: EC2 refuses a duplicate rule, so the group holds it at most once',
      'who added a rule, and when (EC2 keeps neither)',
    ],
  },
};

/** What is not counted on AWS at all, for violations.json. */
export const AWS_NOT_COUNTED: Coverage = {
  platform: 'aws',
  source: 'none',
  operations: [],
  counted: [],
  notCounted: [
    'dynamodb-update-item: DynamoDB keeps only the current item (its version attribute gives a total per item, not a count per certificate)',
  ],
};

function awsKind(name: KindName, o: AwsPoolOptions): MutationKind<AwsKindContext> {
  const action = ACTIONS[name];
  const { tag, size } = o.pool;
  /** Security groups get their ids from EC2 in prepare(). */
  let groups: string[] = [];
  const slot = (k: number): AwsResources => ({
    bucket: o.bucket,
    objectKey: `bench/${tag}/${k}.txt`,
    parameterName: `/seb/bench/${tag}/p${k}`,
    securityGroupId: groups[k] ?? '',
    table: o.table,
    itemKey: { id: `bench-${tag}-${k}` },
  });
  const slotContract = (k: number, n: number) => {
    if (action === 'ec2:AuthorizeSecurityGroupIngress' && groups[k] === undefined) throw new Error(`${name}: the pool's security groups are not made yet (prepare)`);
    return contractFor(action, o.target, slot(k), n);
  };
  // Each request adds one ingress rule, and a security group holds at most 60
  // (as on AWS): spread requests over `EC2_LAYERS` groups per slot. Requests
  // in flight still never share a group: two requests of one slot are `size` apart.
  const isEc2 = action === 'ec2:AuthorizeSecurityGroupIngress';
  const slotFor = (i: number) => (isEc2 ? slotOf(i, o.pool) + size * (Math.floor(i / size) % EC2_LAYERS) : slotOf(i, o.pool));
  const slots = Array.from({ length: isEc2 ? size * EC2_LAYERS : size }, (_, k) => k);
  let changes = 0;
  return {
    name,
    platform: 'aws',
    async prepare(ctx) {
      if (action === 'ec2:AuthorizeSecurityGroupIngress') {
        const made: string[] = [];
        groups = made;
        await eachLimited(slots, SETUP_CONCURRENCY, async (k) => {
          made[k] = await ctx.admin.createSecurityGroup(`seb-bench-${tag}-${k}`);
        });
        return;
      }
      await eachLimited(slots, SETUP_CONCURRENCY, (k) => ctx.admin.create(ctx.reader.plan(slotContract(k, 0)) as Creatable));
    },
    contract: (i) => slotContract(slotFor(i), i),
    preState: (contract, ctx) => preStateThrough(ctx.reader, contract),
    directCall: (contract, ctx) => ctx.admin.apply(ctx.reader.plan(contract) as AwsPlan),
    outOfBand: (contract, ctx) => ctx.admin.tamperWith(ctx.reader.plan(contract) as AwsPlan, changes++),
    ...(action !== 'dynamodb:UpdateItem'
      ? {
          platformRecords: {
            coverage: AWS_COVERAGE[action],
            async writes(ctx: AwsKindContext) {
              const perSlot: { content: string; atMs: number; target: string }[][] = [];
              await eachLimited(slots, SETUP_CONCURRENCY, async (k) => {
                const plan = ctx.reader.plan(slotContract(k, 0)) as AwsPlan;
                perSlot[k] = (await ctx.admin.recordedWrites(plan)).map((w) => ({ ...w, target: plan.arn }));
              });
              return perSlot.flat();
            },
            contentOf(contract: Contract, ctx: AwsKindContext) {
              const plan = ctx.reader.plan(contract) as Exclude<AwsPlan, { action: 'dynamodb:UpdateItem' }>;
              switch (plan.action) {
                case 's3:PutObject':
                  return createHash('md5').update(plan.body).digest('hex');
                case 'ssm:PutParameter':
                  return plan.value;
                case 'ec2:AuthorizeSecurityGroupIngress':
                  return ruleContent(plan.rule);
              }
            },
          },
        }
      : {}),
    async cleanup(ctx) {
      if (action === 'ec2:AuthorizeSecurityGroupIngress') {
        const made = groups.filter((g) => g !== undefined);
        groups = [];
        await eachLimited(made, SETUP_CONCURRENCY, (g) => ctx.admin.deleteSecurityGroup(g));
        return;
      }
      await eachLimited(slots, SETUP_CONCURRENCY, (k) => ctx.admin.delete(ctx.reader.plan(slotContract(k, 0)) as AwsPlan));
    },
  };
}

/** The four kinds over one pool of targets each (one workload's). */
export function awsKinds(o: AwsPoolOptions): MutationKind<AwsKindContext>[] {
  return (Object.keys(ACTIONS) as KindName[]).map((name) => awsKind(name, o));
}
