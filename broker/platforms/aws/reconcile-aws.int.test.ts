// Crash reconciliation on AWS (moto): a broker stopped inside invoke, after or
// before the write reached the platform, is restarted, and the AWS adapter's
// matchesIntent lets reconciliation record `succeeded` or `failed` from the
// live state, as it can on Kubernetes, instead of `unknown`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshState, issueFor, makeIssuer, requestBytes, type Issuer } from '../../../harness/sample-certificates.js';
import { contractFor, DirectAws } from '../../../harness/targets/local/aws-kinds.js';
import { startLocalAws, type LocalAws } from '../../../harness/targets/local/aws-target.js';
import { Broker } from '../../broker.js';
import type { Contract } from '../../core/certificate/contract.js';
import { importPrivateJwk, type SigningKey } from '../../core/keys.js';
import type { InvokeResult, PlatformAdapter } from '../../core/ports/platform.js';
import { reconcile } from '../../reconcile.js';
import { generateSigningKey } from '../../sab/keygen.js';
import { SqliteLedger } from '../../stores/sqlite/ledger.js';
import { SqliteRecordLog } from '../../stores/sqlite/record-log.js';
import type { AwsAdapter } from './adapter.js';
import { awsAdapterFor } from '../from-target.js';
import { ACTIONS, type Action } from './operations.js';

let aws: LocalAws;
let awsDir: string;
let admin: DirectAws;
let adapter: AwsAdapter;
let issuer: Issuer;
let brokerKey: SigningKey;
let dir: string;
let n = 0;

beforeAll(async () => {
  awsDir = mkdtempSync(join(tmpdir(), 'seb-aws-reconcile-'));
  aws = await startLocalAws(awsDir);
  const credentials = aws.info.credentials.admin;
  if (credentials === undefined) throw new Error('the local target has admin credentials');
  admin = new DirectAws(aws.info, credentials, aws.resources);
  adapter = awsAdapterFor(aws.info);
  issuer = await makeIssuer();
  brokerKey = importPrivateJwk((await generateSigningKey('EdDSA', 'broker-1')).privateJwk);
});
afterAll(async () => {
  adapter?.close();
  admin?.close();
  await aws?.stop();
  rmSync(awsDir, { recursive: true, force: true });
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seb-aws-reconcile-run-'));
});
afterEach(async () => {
  await admin.restore();
  rmSync(dir, { recursive: true, force: true });
});

const openLog = () => SqliteRecordLog.open(join(dir, 'log.db'), { broker: 'broker-1', key: brokerKey });
const hang = () => new Promise<InvokeResult>(() => undefined);

/**
 * Executes `contract` through a broker whose invoke stops for good once it has
 * (or has not) sent the real write; then closes the log under it, as a crash would.
 */
async function crashDuringInvoke(contract: Contract, write: boolean): Promise<void> {
  let reached = false;
  const crashing: PlatformAdapter = {
    name: adapter.name,
    plan: (c) => adapter.plan(c),
    readLiveState: (plan) => adapter.readLiveState(plan as ReturnType<AwsAdapter['plan']>),
    mint: (plan, claims) => adapter.mint(plan as ReturnType<AwsAdapter['plan']>, claims),
    async invoke(plan, identity, live) {
      if (write) expect(await adapter.invoke(plan as ReturnType<AwsAdapter['plan']>, identity, live)).toMatchObject({ status: 'succeeded' });
      reached = true;
      return hang();
    },
    retire: async () => undefined,
  };
  const log = openLog();
  const plan = adapter.plan(contract);
  const live = await adapter.readLiveState(plan);
  const nowS = Math.floor(Date.now() / 1000);
  const certificate = await issueFor(issuer, { contract, nowS, preState: live.state, ...(live.version === undefined ? {} : { preVersion: live.version }) });
  const broker = new Broker({
    id: 'broker-1',
    policy: issuer.policy,
    state: () => freshState(Date.now()),
    ledger: new SqliteLedger(join(dir, 'ledger.db')),
    log,
    platforms: [crashing],
    clock: () => Date.now(),
  });
  void broker.execute(requestBytes(certificate, contract));
  while (!reached) await new Promise((r) => setTimeout(r, 5));
  await log.close();
}

async function restartAndReconcile() {
  const log = openLog();
  try {
    return await reconcile({ log, platforms: [adapter] });
  } finally {
    await log.close();
  }
}

describe.each(ACTIONS)('%s: reconciliation after a crash inside invoke', (action: Action) => {
  it('records succeeded when the write landed', async () => {
    await crashDuringInvoke(contractFor(action, aws.info, aws.resources, ++n), true);
    expect(await restartAndReconcile()).toMatchObject([{ status: 'succeeded', detail: expect.stringContaining('the live state shows the mutation') }]);
  });

  it('records failed when nothing was written', async () => {
    await crashDuringInvoke(contractFor(action, aws.info, aws.resources, ++n), false);
    expect(await restartAndReconcile()).toMatchObject([{ status: 'failed', detail: expect.stringContaining('pre-state') }]);
  });
});
