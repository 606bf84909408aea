// The seven concrete kinds without a platform: every contract they make is
// one the adapters' allowlists accept, request i names slot i % size, and the
// pool is sized so no two requests in flight share a target.
import { describe, expect, it } from 'vitest';
import { planAws } from '../../../broker/platforms/aws/operations.js';
import { planMutation } from '../../../broker/platforms/kubernetes/operations.js';
import { deriveSeed, seededRng } from '../../load/rng.js';
import { parseScenario } from '../../scenario/load.js';
import { MUTATION_KIND_NAMES, mutationRegistry } from '../mutation.js';
import { awsKinds } from './aws.js';
import { kubernetesKinds } from './kubernetes.js';
import { OPEN_LOOP_POOL, poolSizeFor } from './shared.js';

const pool = { tag: 'a1b2c3', size: 4 };
const target = { endpoint: 'http://127.0.0.1:1', region: 'us-east-1', accountId: '123456789012', executorRoleArn: 'arn:aws:iam::123456789012:role/x', credentials: {} as never };

describe('mutation kinds', () => {
  it('cover the catalogue, each on its platform', () => {
    expect(mutationRegistry(kubernetesKinds({ namespace: 'seb-prod', pool })).size).toBe(MUTATION_KIND_NAMES.kubernetes.length);
    expect(mutationRegistry(awsKinds({ target, bucket: 'seb-target', table: 'seb-target', pool })).size).toBe(MUTATION_KIND_NAMES.aws.length);
  });

  it('make contracts the Kubernetes allowlist plans, slot i % size', () => {
    for (const kind of kubernetesKinds({ namespace: 'seb-prod', pool })) {
      for (const i of [0, 1, 5, 123_457]) {
        const contract = kind.contract(i, seededRng(deriveSeed(1, kind.name, i)));
        const plan = planMutation(contract, ['seb-prod']);
        expect(plan.target.name).toMatch(new RegExp(`-a1b2c3-${i % 4}$`));
        expect(plan.target.name.length).toBeLessThanOrEqual(63);
      }
    }
  });

  it('make contracts the AWS allowlist plans, slot i % size (security groups only after prepare)', () => {
    const scope = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' };
    for (const kind of awsKinds({ target, bucket: 'seb-target', table: 'seb-target', pool })) {
      if (kind.name === 'ec2-authorize-ingress') {
        expect(() => kind.contract(0, seededRng(1))).toThrow(/prepare/);
        continue;
      }
      // A DynamoDB target is an item: the table's ARN and the item's key.
      const slots = [0, 1, 4, 5].map((i) => {
        const plan = planAws(kind.contract(i, seededRng(i)), scope);
        return JSON.stringify([plan.arn, plan.action === 'dynamodb:UpdateItem' ? plan.key : null]);
      });
      expect(slots[0]).toBe(slots[2]);
      expect(slots[0]).not.toBe(slots[1]);
      expect(slots[1]).toBe(slots[3]);
    }
  });

  it('size the pool above what is in flight', () => {
    const head = 'name: x\ndescription: d\ntarget: local\nplatforms: [kubernetes]\nmutations: [configmap-data]\nseed: 1\n';
    expect(poolSizeFor(parseScenario(`${head}kind: latency\nload: {mode: closed, workers: 3, count: 5}\n`, 'x.yaml'))).toBe(6);
    expect(poolSizeFor(parseScenario(`${head}kind: replay-storm\nstorm: {certificates: 40, copies: 3, concurrency: 8}\n`, 'x.yaml'))).toBe(40);
    expect(poolSizeFor(parseScenario(`${head}kind: throughput\nload: {mode: open, rates_rps: [10, 20], duration_s: 1}\n`, 'x.yaml'))).toBe(OPEN_LOOP_POOL);
  });
});
