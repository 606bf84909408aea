// The AWS adapter against a real moto: a certified mutation of each kind
// succeeds through the minted session, an out-of-band change shows as drift,
// and a change between the drift check and the write is refused by the
// native precondition where the service has one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshState, issueFor, makeIssuer, type Issuer } from '../../../harness/sample-certificates.js';
import { contractFor, DirectAws } from '../../../harness/targets/local/aws-kinds.js';
import { startLocalAws, type LocalAws } from '../../../harness/targets/local/aws-target.js';
import { jcsDigest } from '../../core/digest.js';
import { checkDrift } from '../../core/predicates/drift.js';
import { verifyRequest } from '../../core/predicates/verify.js';
import { requestBytes } from '../../../harness/sample-certificates.js';
import type { Claims } from '../../core/certificate/claims.js';
import type { Contract } from '../../core/certificate/contract.js';
import type { AwsAdapter } from './adapter.js';
import { awsAdapterFor } from '../from-target.js';
import { ACTIONS, type Action } from './operations.js';

let dir: string;
let aws: LocalAws;
let admin: DirectAws;
let adapter: AwsAdapter;
let issuer: Issuer;
let n = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-aws-adapter-'));
  aws = await startLocalAws(dir);
  const adminCredentials = aws.info.credentials.admin;
  if (adminCredentials === undefined) throw new Error('the local target has admin credentials');
  admin = new DirectAws(aws.info, adminCredentials, aws.resources);
  adapter = awsAdapterFor(aws.info);
  issuer = await makeIssuer();
});
afterAll(async () => {
  adapter?.close();
  admin?.close();
  await aws?.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => admin.restore());

/** Claims of a certificate for `contract` whose `pre` is the live state now, read through the adapter. */
async function certify(contract: Contract): Promise<Claims> {
  const live = await adapter.readLiveState(adapter.plan(contract));
  const nowS = Math.floor(Date.now() / 1000);
  const jwt = await issueFor(issuer, { contract, nowS, preState: live.state, ...(live.version === undefined ? {} : { preVersion: live.version }) });
  const verified = verifyRequest(requestBytes(jwt, contract), issuer.policy, freshState(Date.now()), Date.now());
  if (!verified.ok) throw new Error(`fixture certificate denied: ${verified.decision.reason}`);
  return verified.certificate.claims;
}

describe.each(ACTIONS)('%s through the adapter', (action: Action) => {
  it('succeeds as the minted session, and the live state then shows the mutation', async () => {
    const contract = contractFor(action, aws.info, aws.resources, ++n);
    const claims = await certify(contract);
    const plan = adapter.plan(contract);
    const live = await adapter.readLiveState(plan);
    expect(checkDrift(claims.pre, live)).toBeNull();
    const identity = await adapter.mint(plan, claims);
    expect(identity.principal).toBe(`arn:aws:sts::${aws.info.accountId}:assumed-role/seb-executor/${claims.jti}`);
    expect(identity.expiresAt - Date.now()).toBeLessThanOrEqual(900_000);
    expect(await adapter.invoke(plan, identity, live)).toMatchObject({ status: 'succeeded' });
    const after = await adapter.readLiveState(plan);
    expect(jcsDigest(after.state)).not.toBe(claims.pre?.digest);
    // What crash reconciliation asks: the state after shows the mutation, the state before does not.
    expect(adapter.matchesIntent(plan, after)).toBe(true);
    expect(adapter.matchesIntent(plan, live)).toBe(false);
  });

  it('an out-of-band change makes the live digest differ (drift)', async () => {
    const contract = contractFor(action, aws.info, aws.resources, ++n);
    const claims = await certify(contract);
    await admin.tamper(action);
    expect(checkDrift(claims.pre, await adapter.readLiveState(adapter.plan(contract)))).toBe('drift');
  });
});

it.each(['s3:PutObject', 'ssm:PutParameter', 'dynamodb:UpdateItem'] as const)('%s creates an absent target, conditioned on its absence', async (action) => {
  await admin.remove(action);
  const contract = contractFor(action, aws.info, aws.resources, ++n);
  const claims = await certify(contract);
  const plan = adapter.plan(contract);
  const live = await adapter.readLiveState(plan);
  expect(live).toEqual({ state: { exists: false } });
  expect(await adapter.invoke(plan, await adapter.mint(plan, claims), live)).toMatchObject({ status: 'succeeded' });
  expect(await adapter.readLiveState(plan)).toMatchObject({ state: { exists: true } });
});

describe('a change between the drift check and the write', () => {
  async function raced(action: Action) {
    const contract = contractFor(action, aws.info, aws.resources, ++n);
    const claims = await certify(contract);
    const plan = adapter.plan(contract);
    const live = await adapter.readLiveState(plan);
    expect(checkDrift(claims.pre, live)).toBeNull();
    await admin.tamper(action);
    return adapter.invoke(plan, await adapter.mint(plan, claims), live);
  }

  it.each(['s3:PutObject', 'dynamodb:UpdateItem'] as const)('%s: is refused by the native precondition', async (action) => {
    expect(await raced(action)).toMatchObject({ status: 'precondition_failed' });
  });

  // A target that was absent at the drift check and created since: the write was conditioned on "still absent".
  it.each(['s3:PutObject', 'ssm:PutParameter', 'dynamodb:UpdateItem'] as const)('%s: creating over a target that appeared is refused', async (action) => {
    await admin.remove(action);
    const contract = contractFor(action, aws.info, aws.resources, ++n);
    const claims = await certify(contract);
    const plan = adapter.plan(contract);
    const live = await adapter.readLiveState(plan);
    await admin.restore();
    expect(await adapter.invoke(plan, await adapter.mint(plan, claims), live)).toMatchObject({ status: 'precondition_failed' });
  });

  // The gap the drift check cannot close: SSM updates and EC2 rules have no conditional write.
  it.each(['ssm:PutParameter', 'ec2:AuthorizeSecurityGroupIngress'] as const)('%s: is not caught (no native precondition)', async (action) => {
    expect(await raced(action)).toMatchObject({ status: 'succeeded' });
  });
});
