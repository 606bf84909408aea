// End to end on the local AWS target: the Broker with its SQLite ledger and
// record log executes one certified mutation of each kind, timed per phase,
// next to the same mutation done directly with the admin credential in the
// same run (the baseline). Also through the Broker: drift denies and a change
// after the drift check ends as precondition_failed, both recorded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshState, issueFor, makeIssuer, requestBytes, type Issuer } from '../../../harness/sample-certificates.js';
import { contractFor, DirectAws } from '../../../harness/targets/local/aws-kinds.js';
import { startLocalAws, type LocalAws } from '../../../harness/targets/local/aws-target.js';
import { Broker, PHASES, type PhaseTimings } from '../../broker.js';
import type { Contract } from '../../core/certificate/contract.js';
import { importKeySet, importPrivateJwk } from '../../core/keys.js';
import type { PlatformAdapter } from '../../core/ports/platform.js';
import { auditLog } from '../../core/records/audit.js';
import { generateSigningKey } from '../../sab/keygen.js';
import { SqliteLedger } from '../../stores/sqlite/ledger.js';
import { openLogForAudit } from '../../stores/sqlite/record-log-reader.js';
import { SqliteRecordLog } from '../../stores/sqlite/record-log.js';
import { AwsAdapter } from './adapter.js';
import { ACTIONS, type Action } from './operations.js';

const REPETITIONS = 10;

let dir: string;
let aws: LocalAws;
let admin: DirectAws;
let adapter: AwsAdapter;
/** The SAB's own view of the live state, so that the broker's read sessions start cold. */
let sabView: AwsAdapter;
let issuer: Issuer;
let log: SqliteRecordLog;
let brokerKeys: ReturnType<typeof importKeySet>;
let executions = 0;
let startMs = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-aws-broker-'));
  const t0 = performance.now();
  aws = await startLocalAws(dir);
  startMs = performance.now() - t0;
  const adminCredentials = aws.info.credentials.admin;
  if (adminCredentials === undefined) throw new Error('the local target has admin credentials');
  admin = new DirectAws(aws.info, adminCredentials, aws.resources);
  const config = {
    endpoint: aws.info.endpoint,
    region: aws.info.region,
    accountId: aws.info.accountId,
    brokerCredentials: aws.info.credentials.broker,
    executorRoleArn: aws.info.executorRoleArn,
  };
  adapter = new AwsAdapter(config);
  sabView = new AwsAdapter(config);
  issuer = await makeIssuer();
  const { privateJwk, publicJwk } = await generateSigningKey('EdDSA', 'broker-1');
  brokerKeys = importKeySet({ keys: [publicJwk] });
  log = SqliteRecordLog.open(join(dir, 'log.db'), { broker: 'broker-1', key: importPrivateJwk(privateJwk) });
});
afterAll(async () => {
  adapter?.close();
  sabView?.close();
  admin?.close();
  await aws?.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => admin.restore());

function broker(platform: PlatformAdapter = adapter): Broker {
  return new Broker({
    id: 'broker-1',
    policy: issuer.policy,
    state: () => freshState(Date.now()),
    ledger: new SqliteLedger(join(dir, 'ledger.db')),
    log,
    platforms: [platform],
  });
}

async function request(contract: Contract): Promise<Buffer> {
  const live = await sabView.readLiveState(sabView.plan(contract));
  const jwt = await issueFor(issuer, { contract, nowS: Math.floor(Date.now() / 1000), preState: live.state, ...(live.version === undefined ? {} : { preVersion: live.version }) });
  return requestBytes(jwt, contract);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function total(p: PhaseTimings): number {
  return Object.values(p).reduce((a, b) => a + (b ?? 0), 0);
}

const rows: string[] = [];
afterAll(() => {
  const header = 'kind'.padEnd(34) + [...PHASES, 'total', 'direct', 'overhead', 'drift#1'].map((h) => h.padStart(9)).join('');
  // drift#1: the first execution's drift phase, which includes the AssumeRole of the read session.
  console.log(`moto start + bootstrap: ${startMs.toFixed(0)} ms; medians of ${REPETITIONS} (ms):\n${header}\n${rows.join('\n')}`);
});

describe('Broker on the local AWS target', () => {
  it.each(ACTIONS)('%s: brokered and direct, timed in the same run', async (action: Action) => {
    const b = broker();
    const brokered: PhaseTimings[] = [];
    const direct: number[] = [];
    for (let i = 0; i < REPETITIONS; i++) {
      const n = ++executions;
      const result = await b.execute(await request(contractFor(action, aws.info, aws.resources, n)));
      expect(result, result.detail).toMatchObject({ decision: { decision: 'allow' }, outcome: 'succeeded' });
      brokered.push(result.phases);
      const t0 = performance.now();
      await admin.mutate(action, n + 10_000);
      direct.push(performance.now() - t0);
    }
    const phase = (p: (typeof PHASES)[number]) => median(brokered.map((t) => t[p] ?? 0));
    const totals = median(brokered.map(total));
    const cells = [...PHASES.map(phase), totals, median(direct), totals - median(direct), brokered[0]?.drift ?? 0];
    rows.push(action.padEnd(34) + cells.map((c) => c.toFixed(1).padStart(9)).join(''));
  });

  it('denies for drift when the target changed after admission, and records it', async () => {
    const bytes = await request(contractFor('s3:PutObject', aws.info, aws.resources, ++executions));
    await admin.tamper('s3:PutObject');
    const result = await broker().execute(bytes);
    expect(result.decision).toMatchObject({ decision: 'deny', reason: 'drift' });
    expect(result.phases.mint).toBeUndefined();
  });

  it.each(['s3:PutObject', 'dynamodb:UpdateItem'] as const)('%s: a change after the drift check ends as precondition_failed', async (action) => {
    const racing: PlatformAdapter = {
      name: 'aws',
      plan: (c) => adapter.plan(c),
      readLiveState: (p) => adapter.readLiveState(adapter.plan(p.contract)),
      mint: async (p, claims) => {
        await admin.tamper(action);
        return adapter.mint(adapter.plan(p.contract), claims);
      },
      invoke: (p, identity, live) => adapter.invoke(adapter.plan(p.contract), identity, live),
      retire: () => adapter.retire(),
    };
    const result = await broker(racing).execute(await request(contractFor(action, aws.info, aws.resources, ++executions)));
    expect(result).toMatchObject({ decision: { decision: 'deny', reason: 'precondition_failed' }, outcome: 'failed' });
  });

  it('leaves a record log that verifies end to end', () => {
    const reader = openLogForAudit(join(dir, 'log.db'));
    try {
      const report = auditLog({ broker: reader.broker, keys: brokerKeys, entries: reader.entries(), treeHeads: reader.treeHeads() });
      expect(report).toMatchObject({ ok: true });
    } finally {
      reader.close();
    }
  });
});
