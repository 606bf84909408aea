// Network faults through Toxiproxy between the broker and moto, as between
// the brokers and kube-apiserver or etcd: each fault is injected, one fresh
// certificate is executed under it, the fault is removed, and one more must
// execute (the health check after it). Under latency the broker still
// executes; with moto down or every connection reset it denies
// (state_unavailable: it cannot read the state it must confirm). Afterwards
// the record log and what moto kept (the S3 object's versions, matched by
// ETag to the certificates issued here) must show no section-4 violation.
// And the same S3 versions catch a broker that executes twice on one use
// (broker/test-break.ts) while its record log stays clean.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Broker } from '../broker/broker.js';
import { BrokenBroker } from '../broker/test-break.js';
import { importPrivateJwk } from '../broker/core/keys.js';
import { adaptersFor, type TargetAdapters } from '../broker/platforms/from-target.js';
import type { AwsPlan } from '../broker/platforms/aws/operations.js';
import { generateSigningKey } from '../broker/sab/keygen.js';
import { SqliteLedger } from '../broker/stores/sqlite/ledger.js';
import { SqliteRecordLog } from '../broker/stores/sqlite/record-log.js';
import { freshState, makeIssuer, requestBytes, type Issuer } from '../harness/sample-certificates.js';
import { contractFor, DirectAws } from '../harness/targets/local/aws-kinds.js';
import { startLocalAws, type LocalAws } from '../harness/targets/local/aws-target.js';
import { certifyNow } from '../harness/fixtures/certify-now.js';
import { preStateThrough } from '../harness/workload/kinds/shared.js';
import { readRecordLog } from '../harness/validate/record-logs.js';
import { findViolations } from '../harness/validate/violations.js';
import { networkFault, proxyMoto, startToxiproxy, type NetworkFaultKind, type ToxiproxyServer } from './network.js';

let dir: string;
let aws: LocalAws;
let toxiproxy: ToxiproxyServer;
let direct: TargetAdapters;
let proxied: TargetAdapters;
let admin: DirectAws;
let issuer: Issuer;
let failed = false;
const t0 = Date.now();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-fault-moto-'));
  aws = await startLocalAws(join(dir, 'aws'));
  toxiproxy = await startToxiproxy(join(dir, 'toxiproxy.log'));
  direct = adaptersFor({ name: 'local', aws: aws.info }, { kubernetesMode: 'pooled' });
  proxied = adaptersFor({ name: 'local', aws: await proxyMoto(toxiproxy, aws.info) }, { kubernetesMode: 'pooled' });
  admin = new DirectAws(aws.info, aws.info.credentials.admin!);
  issuer = await makeIssuer();
}, 120_000);

afterAll(async () => {
  admin?.close();
  direct?.close();
  proxied?.close();
  await toxiproxy?.stop();
  await aws?.stop();
  if (dir !== undefined && !failed) rmSync(dir, { recursive: true, force: true });
  else if (dir !== undefined) process.stderr.write(`[fault test] kept ${dir}\n`);
});

it('moto behind toxiproxy: latency still executes, down and reset_peer deny, recovery after each, no violation', async () => {
  failed = true;
  const key = importPrivateJwk((await generateSigningKey('EdDSA', 'seb-moto')).privateJwk);
  const ledger = new SqliteLedger(join(dir, 'ledger.db'));
  const log = SqliteRecordLog.open(join(dir, 'records.db'), { broker: 'seb-moto', key });
  const broker = new Broker({ id: 'seb-moto', policy: issuer.policy, state: () => freshState(Date.now()), ledger, log, platforms: proxied.adapters });
  const reader = direct.adapters[0]!;
  const etagToJti = new Map<string, string>();
  let n = 1000;
  const execute = async () => {
    const contract = contractFor('s3:PutObject', aws.info, aws.resources, n++);
    const plan = reader.plan(contract) as AwsPlan;
    const certificate = await certifyNow(issuer, contract, await preStateThrough(reader, contract));
    const result = await broker.execute(requestBytes(certificate, contract));
    if (plan.action === 's3:PutObject' && result.decision.jti !== null) etagToJti.set(createHash('md5').update(plan.body).digest('hex'), result.decision.jti);
    return { decision: result.decision.decision, reason: result.decision.reason };
  };
  try {
    const seen: Record<string, unknown> = {};
    for (const kind of ['latency', 'down', 'reset_peer'] satisfies NetworkFaultKind[]) {
      const fault = networkFault(toxiproxy, 'moto', kind);
      await fault.inject();
      try {
        seen[kind] = await execute();
      } finally {
        await fault.remove();
      }
      seen[`after ${kind}`] = await execute();
    }
    expect(seen).toEqual({
      latency: { decision: 'allow', reason: null },
      'after latency': { decision: 'allow', reason: null },
      down: { decision: 'deny', reason: 'state_unavailable' },
      'after down': { decision: 'allow', reason: null },
      reset_peer: { decision: 'deny', reason: 'state_unavailable' },
      'after reset_peer': { decision: 'allow', reason: null },
    });

    const plan = reader.plan(contractFor('s3:PutObject', aws.info, aws.resources, 0)) as AwsPlan;
    const writes = (await admin.recordedWrites(plan)).flatMap((w) => {
      const jti = etagToJti.get(w.content);
      return jti === undefined ? [] : [{ platform: 'aws' as const, jti, target: plan.arn, atMs: w.atMs - t0, by: 'S3 object version' }];
    });
    expect(writes).toHaveLength(4);
    expect(findViolations({ history: [], records: readRecordLog(join(dir, 'records.db'), t0), revocations: [], live: [], writes })).toEqual([]);
    failed = false;
  } finally {
    await ledger.close();
    await log.close();
  }
}, 120_000);

it('on S3, a broker that executes twice on one use is caught from the object versions alone', async () => {
  const key = importPrivateJwk((await generateSigningKey('EdDSA', 'seb-moto-broken')).privateJwk);
  const ledger = new SqliteLedger(join(dir, 'ledger-broken.db'));
  const logPath = join(dir, 'records-broken.db');
  const log = SqliteRecordLog.open(logPath, { broker: 'seb-moto-broken', key });
  const broker = new BrokenBroker({ id: 'seb-moto-broken', policy: issuer.policy, state: () => freshState(Date.now()), ledger, log, platforms: direct.adapters }, 'execute-twice');
  const reader = direct.adapters[0]!;
  try {
    const contract = contractFor('s3:PutObject', aws.info, aws.resources, 5000);
    const plan = reader.plan(contract) as Extract<AwsPlan, { action: 's3:PutObject' }>;
    const certificate = await certifyNow(issuer, contract, await preStateThrough(reader, contract));
    const result = await broker.execute(requestBytes(certificate, contract));
    expect(result).toMatchObject({ decision: { decision: 'allow' }, outcome: 'succeeded' });
    const etag = createHash('md5').update(plan.body).digest('hex');
    const writes = (await admin.recordedWrites(plan))
      .filter((w) => w.content === etag)
      .map((w) => ({ platform: 'aws' as const, jti: result.decision.jti, target: plan.arn, atMs: w.atMs - t0, by: 'S3 object version' }));
    const records = readRecordLog(logPath, t0);
    expect(writes).toHaveLength(2);
    expect(findViolations({ history: [], records, revocations: [], live: [] })).toEqual([]);
    expect(findViolations({ history: [], records, revocations: [], live: [], writes }).map((v) => v.type)).toEqual(['double_execution']);
  } finally {
    await ledger.close();
    await log.close();
  }
}, 60_000);
