// LocalStack (community) as a plain process: it starts on loopback and is set
// up like any account; the broker mints and writes through it; IAM is not
// enforced (so the harness reports the bypass check as not applicable); its
// IAM simulator fails for users with inline policies, which the permission
// check reports as "not checked"; and it stops for sure.
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClaims } from '../../../broker/sab/issue.js';
import type { Contract } from '../../../broker/core/certificate/contract.js';
import { AwsAdapter } from '../../../broker/platforms/aws/adapter.js';
import { AUDIENCE, ISSUER } from '../../sample-certificates.js';
import { REQUIRED_ACTIONS, simulateAccess } from '../external/aws.js';
import { startLocalStackTarget, type LocalStackTarget } from './localstack.js';

let dir: string;
let ls: LocalStackTarget;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-localstack-'));
  const t0 = performance.now();
  ls = await startLocalStackTarget(join(dir, 'ls'));
  console.log(`[timing] LocalStack ${ls.version} started and set up in ${(performance.now() - t0).toFixed(0)} ms`);
}, 180_000);

afterAll(async () => {
  await ls?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const agentKeys = () => ls.info.credentials?.agent as { accessKeyId: string; secretAccessKey: string };

describe('LocalStack target', () => {
  it('the broker mints an executor and writes an SSM parameter through it', async () => {
    const adapter = new AwsAdapter({ endpoint: ls.info.endpoint, region: ls.info.region, accountId: ls.info.accountId, executorRoleArn: ls.info.executorRoleArn, ...(ls.info.credentials?.broker === undefined ? {} : { brokerCredentials: ls.info.credentials.broker }) });
    try {
      const contract: Contract = {
        platform: 'aws',
        target: { service: 'ssm', arn: `arn:aws:ssm:${ls.info.region}:${ls.info.accountId}:parameter/seb/ls/flag` },
        operation: 'ssm:PutParameter',
        parameters: { value: 'on' },
      };
      const plan = adapter.plan(contract);
      const live = await adapter.readLiveState(plan);
      const claims = buildClaims({ issuer: ISSUER, audience: AUDIENCE, subject: 'agent', contract, nowS: Math.floor(Date.now() / 1000), ttlS: 60 });
      const identity = await adapter.mint(plan, claims);
      expect(await adapter.invoke(plan, identity, live)).toMatchObject({ status: 'succeeded' });
    } finally {
      adapter.close();
    }
  });

  it('does not enforce IAM: the read-only agent writes directly (why the bypass check is not applicable here)', async () => {
    const ssm = new SSMClient({ endpoint: ls.info.endpoint, region: ls.info.region, credentials: agentKeys() });
    try {
      await expect(ssm.send(new PutParameterCommand({ Name: '/seb/ls/bypass', Value: 'x', Type: 'String', Overwrite: true }))).resolves.toBeDefined();
    } finally {
      ssm.destroy();
    }
  });

  it("cannot answer IAM's simulator for a user with inline policies: the permission check says so instead of passing", async () => {
    // LocalStack 4.13.1 reads inline user policies as tuples from a moto that returns them otherwise (KeyError 1).
    const check = await simulateAccess({ endpoint: ls.info.endpoint, region: ls.info.region, credentials: agentKeys() }, REQUIRED_ACTIONS);
    expect(check.checked).toBe(false);
    expect(!check.checked && check.why).toMatch(/^IAM SimulatePrincipalPolicy is not available here/);
  });
});

describe('LocalStack stop', () => {
  it('ends the process (SIGKILL after a short grace if SIGTERM hangs)', async () => {
    await ls.stop();
    await expect(fetch(`${ls.info.endpoint}/_localstack/health`)).rejects.toThrow();
  });
});
