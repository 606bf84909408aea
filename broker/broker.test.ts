// The broker's sequencing with a platform double (no measurement comes from
// here): what executes, what is recorded, and that a failure anywhere after
// the decision still ends with an outcome record.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshState, issueFor, makeIssuer, NOW_S, requestBytes, SAMPLE_CONTRACT, type Issuer } from '../harness/sample-certificates.js';
import { Broker } from './broker.js';
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
  return new Broker({
    id: 'broker-1',
    policy: issuer.policy,
    state: () => freshState(NOW_MS),
    ledger: new SqliteLedger(join(dir, 'ledger.db')),
    log: log ?? SqliteRecordLog.open(join(dir, 'log.db'), { broker: 'broker-1', key: brokerKey, now: () => NOW_MS }),
    platforms: [adapter],
    clock: () => NOW_MS,
  });
}

function audit() {
  const reader = openLogForAudit(join(dir, 'log.db'));
  try {
    return auditLog({ broker: reader.broker, keys: importKeySet(reader.keys), entries: reader.entries(), treeHeads: reader.treeHeads() });
  } finally {
    reader.close();
  }
}

function kinds(): string[] {
  const reader = openLogForAudit(join(dir, 'log.db'));
  try {
    return [...reader.entries()].map((e) => (JSON.parse(Buffer.from(e.jws.split('.')[1]!, 'base64url').toString()) as { kind: string }).kind);
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
  it('executes a certified mutation once, conditioned on the version it checked, and records decision and outcome', async () => {
    const p = platformDouble();
    const b = broker(p);
    const bytes = requestBytes(await issueFor(issuer));
    const first = await b.execute(bytes);
    expect(first).toMatchObject({ decision: { decision: 'allow' }, outcome: 'succeeded' });
    expect(Object.keys(first.phases)).toEqual(['verify', 'ledger', 'drift', 'record', 'mint', 'invoke', 'retire', 'outcome']);
    expect((await b.execute(bytes)).decision.reason).toBe('replayed');
    expect(p.calls).toEqual(['read', 'mint', 'invoke@7', 'retire']);
    expect(audit()).toMatchObject({ ok: true, size: 4 });
    expect(kinds()).toEqual(['decision', 'intent', 'outcome', 'decision']);
    expect(b.health()).toEqual({ ok: true });
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

  it('refuses to execute when the decision cannot be recorded, and becomes unhealthy, saying why', async () => {
    const p = platformDouble();
    const failing = { appendDecision: () => Promise.reject(new Error('disk full')) } as unknown as RecordLog;
    const b = broker(p, failing);
    const reported: string[] = [];
    b.onLogFailure((e) => reported.push(e.message));
    const r = await b.execute(requestBytes(await issueFor(issuer)));
    expect(r.decision.reason).toBe('audit_unavailable');
    expect(p.calls).toEqual(['read']);
    expect(b.health()).toEqual({ ok: false, reason: 'a record could not be appended: disk full' });
    expect(reported).toEqual(['disk full']);
  });

  it('mints nothing when the intent cannot be signed into the log; the allow still ends with its outcome', async () => {
    const p = platformDouble();
    const real = SqliteRecordLog.open(join(dir, 'log.db'), { broker: 'broker-1', key: brokerKey, now: () => NOW_MS });
    const log: RecordLog = {
      appendDecision: (d) => real.appendDecision(d),
      appendIntent: () => Promise.reject(new Error('disk full')),
      appendOutcome: (o) => real.appendOutcome(o),
      treeHead: () => real.treeHead(),
      inclusionProof: (seq) => real.inclusionProof(seq),
      consistencyProof: (from) => real.consistencyProof(from),
      openAllows: () => real.openAllows(),
      close: () => real.close(),
    };
    const b = broker(p, log);
    const r = await b.execute(requestBytes(await issueFor(issuer)));
    expect(r).toMatchObject({ decision: { reason: 'mint_failed' }, outcome: 'failed', detail: 'the intent could not be recorded: disk full' });
    expect(p.calls).toEqual(['read']);
    expect(b.health()).toMatchObject({ ok: false });
    await real.close();
    expect(kinds()).toEqual(['decision', 'outcome']);
    expect(audit()).toMatchObject({ ok: true });
  });

  it('becomes unhealthy when an outcome cannot be written', async () => {
    const p = platformDouble();
    const real = SqliteRecordLog.open(join(dir, 'log.db'), { broker: 'broker-1', key: brokerKey, now: () => NOW_MS });
    const log = { appendDecision: (d) => real.appendDecision(d), appendIntent: (i) => real.appendIntent(i), appendOutcome: () => Promise.reject(new Error('io')) } as Partial<RecordLog> as RecordLog;
    const b = broker(p, log);
    expect(await b.execute(requestBytes(await issueFor(issuer)))).toMatchObject({ outcome: 'succeeded' });
    expect(b.health()).toEqual({ ok: false, reason: 'a record could not be appended: io' });
    await real.close();
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
    // Decision, intent, outcome: the intent precedes every mint, failed or not.
    expect(entryCount()).toBe(3);
    expect(audit()).toMatchObject({ ok: true });
  });
});
