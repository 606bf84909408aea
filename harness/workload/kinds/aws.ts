// The AWS mutation kinds: a pool of S3 objects (in the target's bucket), SSM
// parameters, security groups or DynamoDB items (in the target's table), made
// and removed with the admin credential; contract i writes slot i % size
// (contracts as aws-kinds.ts writes them, one slot standing for the
// bootstrap's single target); the direct path applies the same plan with the
// admin credential and no precondition; the out-of-band change writes what
// the projection covers, distinct per change.
import type { AwsPlan, Action } from '../../../broker/platforms/aws/operations.js';
import type { AwsResources } from '../../targets/local/aws-bootstrap.js';
import { contractFor, type DirectAws } from '../../targets/local/aws-kinds.js';
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
