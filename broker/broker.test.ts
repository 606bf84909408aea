// The broker's sequencing with a platform double (no measurement comes from
// here): what executes, what is recorded, and that a failure anywhere after
// the decision still ends with an outcome record.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshState, issueFor, makeIssuer, NOW_S, requestBytes, SAMPLE_CONTRACT, type Issuer } from '../harness/fixtures/certificates.js';
import { Broker, type BrokerConfig } from './broker.js';
import { importPrivateJwk } from './core/keys.js';
import { platformDouble, type DoubleBehaviour, type PlatformDouble } from '../harness/fixtures/platform-double.js';
import type { RecordLog } from './core/ports/record-log.js';
import { generateSigningKey } from './sab/keygen.js';
import { SqliteLedger } from './stores/sqlite/ledger.js';
import { SqliteRecordLog } from './stores/sqlite/record-log.js';
import { openLogForAudit } from './stores/sqlite/record-log-reader.js';
import { auditLog } from './core/records/audit.js';
import { importKeySet } from './core/keys.js';

const NOW_MS = NOW_S * 1000 + 1000;
let issuer: Issuer;
let brokerKey: ReturnType<typeof importPrivateJwk>;
let dir: string;

beforeAll(async () => {
  issuer = await makeIssuer();
  brokerKey = importPrivateJwk((await generateSigningKey('EdDSA', 'broker-1')).privateJwk);
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seb-broker-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function broker(adapter: PlatformDouble, log?: RecordLog) {
  return new Broker(brokerConfig(adapter, log));
}

function brokerConfig(adapter: PlatformDouble, log?: RecordLog): BrokerConfig {
  return {
    id: 'broker-1',
    policy: issuer.policy,
    state: () => freshState(NOW_MS),
    ledger: new SqliteLedger(join(dir, 'ledger.db')),
    log: log ?? SqliteRecordLog.open(join(dir, 'log.db'), { broker: 'broker-1', key: brokerKey, now: () => NOW_MS }),
    platforms: [adapter],
    clock: () => NOW_MS,
  };
}

function audit() {
  const reader = openLogForAudit(join(dir, 'log.db'));
  try {
    return auditLog({ broker: reader.broker, keys: importKeySet(reader.keys), entries: reader.entries(), treeHeads: reader.treeHeads() });
  } finally {
    reader.close();
  }
}

function entryCount(): number {
  const reader = openLogForAudit(join(dir, 'log.db'));
  try {
    return [...reader.entries()].length;
  } finally {
    reader.close();
  }
}

describe('Broker.execute', () => {
  it('plans each contract once, and journals the intent after the decision record and before the mint', async () => {
    const p = platformDouble();
    const plan = p.plan.bind(p);
    let planned = 0;
    p.plan = (contract) => {
      planned++;
      return plan(contract);
    };
    const journal = {
      async record() {
        p.calls.push(`intent after ${entryCount()} record(s)`);
      },
    };
    const b = new Broker({ ...brokerConfig(p), journal });
    expect(await b.execute(requestBytes(await issueFor(issuer)))).toMatchObject({ outcome: 'succeeded' });
    expect(planned).toBe(1);
    expect(p.calls).toEqual(['read', 'intent after 1 record(s)', 'mint', 'invoke@7', 'retire']);
  });

  it('does not mint when the intent cannot be journaled, and ends the allow with mint_failed', async () => {
    const p = platformDouble();
    const b = new Broker({ ...brokerConfig(p), journal: { record: () => Promise.reject(new Error('disk full')) } });
    expect(await b.execute(requestBytes(await issueFor(issuer)))).toMatchObject({ decision: { reason: 'mint_failed' }, outcome: 'failed', detail: 'disk full' });
    expect(p.calls).toEqual(['read']);
    expect(audit()).toMatchObject({ ok: true, size: 2 });
  });

  it('executes a certified mutation once, conditioned on the version it checked, and records decision and outcome', async () => {
    const p = platformDouble();
    const b = broker(p);
    const bytes = requestBytes(await issueFor(issuer));
    const first = await b.execute(bytes);
    expect(first).toMatchObject({ decision: { decision: 'allow' }, outcome: 'succeeded' });
    expect(Object.keys(first.phases)).toEqual(['verify', 'ledger', 'drift', 'record', 'mint', 'invoke', 'retire', 'outcome']);
    expect((await b.execute(bytes)).decision.reason).toBe('replayed');
    expect(p.calls).toEqual(['read', 'mint', 'invoke@7', 'retire']);
    expect(audit()).toMatchObject({ ok: true, size: 3 });
  });

  it('denies a contract the platform cannot plan as malformed, before anything else', async () => {
    const p = platformDouble();
    const contract = { ...SAMPLE_CONTRACT, operation: 'delete' };
    const r = await broker(p).execute(requestBytes(await issueFor(issuer, { contract }), contract));
    expect(r.decision.reason).toBe('malformed');
    expect(p.calls).toEqual([]);
  });

  it('denies drift without minting', async () => {
    const p = platformDouble({ state: { replicas: 9 } });
    expect((await broker(p).execute(requestBytes(await issueFor(issuer)))).decision.reason).toBe('drift');
    expect(p.calls).toEqual(['read']);
  });

  it('refuses to execute when the decision cannot be recorded', async () => {
    const p = platformDouble();
    const failing = { appendDecision: () => Promise.reject(new Error('disk full')) } as unknown as RecordLog;
    const r = await broker(p, failing).execute(requestBytes(await issueFor(issuer)));
    expect(r.decision.reason).toBe('audit_unavailable');
    expect(p.calls).toEqual(['read']);
  });

  it.each<[string, DoubleBehaviour, string, string]>([
    ['mint fails', { mint: () => Promise.reject(new Error('forbidden')) }, 'mint_failed', 'failed'],
    ['the platform refuses the precondition', { invoke: async () => ({ status: 'precondition_failed', detail: '409' }) }, 'precondition_failed', 'failed'],
    ['the platform refuses the call', { invoke: async () => ({ status: 'failed', detail: '403' }) }, 'invoke_failed', 'failed'],
    ['the call may or may not have landed', { invoke: () => Promise.reject(new Error('ECONNRESET')) }, 'invoke_failed', 'unknown'],
  ])('ends with an outcome record when %s', async (_, behaviour, reason, outcome) => {
    const p = platformDouble(behaviour);
    const r = await broker(p).execute(requestBytes(await issueFor(issuer)));
    expect(r).toMatchObject({ decision: { decision: 'deny', reason }, outcome });
    if (reason !== 'mint_failed') expect(p.calls.at(-1)).toBe('retire');
    expect(entryCount()).toBe(2);
    expect(audit()).toMatchObject({ ok: true });
  });
});
