// The broker's sequencing with a platform double (no measurement comes from
// here): what executes, what is recorded, and that a failure anywhere after
// the decision still ends with an outcome record.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshState, issueFor, makeIssuer, NOW_S, requestBytes, SAMPLE_CONTRACT, SAMPLE_STATE, type Issuer } from '../harness/sample-certificates.js';
import { Broker, type BrokerConfig } from './broker.js';
import { importPrivateJwk } from './core/keys.js';
import { platformDouble, type DoubleBehaviour, type PlatformDouble } from '../harness/fixtures/platform-double.js';
import type { RecordLog } from './core/ports/record-log.js';
import { generateSigningKey } from './sab/keygen.js';
import { SqliteLedger } from './stores/sqlite/ledger.js';
import { SqliteRecordLog } from './stores/sqlite/record-log.js';
import { openLogForAudit } from './stores/sqlite/record-log-reader.js';
import { auditLog } from './core/records/audit.js';
import { openEntry } from './core/records/open-entry.js';
import type { LogRecord } from './core/records/record.js';
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

/** A platform whose mint creates objects, named before it runs (as pooled and ephemeral Kubernetes executors are). */
function reservingDouble(behaviour?: DoubleBehaviour): PlatformDouble {
  return { ...platformDouble(behaviour), reserve: () => ({ secret: 'seb-bind-1' }) };
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
  return records().map((r) => r.kind);
}

function records(): LogRecord[] {
  const reader = openLogForAudit(join(dir, 'log.db'));
  try {
    return [...reader.entries()].map((e) => {
      const opened = openEntry(e.jws, importKeySet(reader.keys), 'record');
      if (!opened.ok) throw new Error(opened.message);
      return opened.entry.record;
    });
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

describe('Broker.cachedReads', () => {
  it('reports how each platform with a cache answered its drift reads, and skips those without one', () => {
    const kubernetes = { ...platformDouble(), cachedReads: () => ({ cache: 4, fallback: 1 }) };
    const aws = platformDouble({ name: 'aws' });
    expect(new Broker({ ...brokerConfig(kubernetes), platforms: [kubernetes, aws] }).cachedReads()).toEqual([{ platform: 'kubernetes', reads: { cache: 4, fallback: 1, confirmed: 0 } }]);
  });

  it('counts the cached reads it confirmed by a request: a cache at another version than the certified one', async () => {
    let cachedVersion = '7';
    const p: PlatformDouble = { ...platformDouble(), readCachedLiveState: async () => ({ state: SAMPLE_STATE as never, version: cachedVersion }), cachedReads: () => ({ cache: 0, fallback: 0 }) };
    const b = broker(p);
    const certified = () => issueFor(issuer, { preVersion: '7' });
    expect(await b.execute(requestBytes(await certified()))).toMatchObject({ outcome: 'succeeded' });
    expect(b.cachedReads()[0]?.reads.confirmed).toBe(0);
    cachedVersion = '6';
    expect(await b.execute(requestBytes(await certified()))).toMatchObject({ outcome: 'succeeded' });
    expect(b.cachedReads()[0]?.reads.confirmed).toBe(1);
    // The confirming read is the platform's own.
    expect(p.calls.filter((c) => c === 'read')).toHaveLength(1);
  });
});

describe('Broker.execute', () => {
  it('plans each contract once, for the schema predicate, the drift check and the execution', async () => {
    const p = platformDouble();
    const plan = p.plan.bind(p);
    let planned = 0;
    p.plan = (contract) => {
      planned++;
      return plan(contract);
    };
    expect(await broker(p).execute(requestBytes(await issueFor(issuer)))).toMatchObject({ outcome: 'succeeded' });
    expect(planned).toBe(1);
    expect(p.calls).toEqual(['read', 'mint', 'invoke@7', 'retire']);
  });

  it('executes a certified mutation once, conditioned on the version it checked, and records decision and outcome', async () => {
    const p = platformDouble();
    const b = broker(p);
    const bytes = requestBytes(await issueFor(issuer));
    const first = await b.execute(bytes);
    expect(first).toMatchObject({ decision: { decision: 'allow' }, outcome: 'succeeded' });
    expect(Object.keys(first.phases)).toEqual(['verify', 'ledger', 'drift', 'record', 'mint', 'invoke', 'retire', 'outcome']);
    expect((await b.execute(bytes)).decision.reason).toBe('replayed');
    // The replay's live state was read alongside the ledger; nothing was minted or run for it.
    expect(p.calls).toEqual(['read', 'mint', 'invoke@7', 'retire', 'read']);
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

  it('denies drift without minting when the mint would create objects', async () => {
    const p = reservingDouble({ state: { replicas: 9 } });
    expect((await broker(p).execute(requestBytes(await issueFor(issuer)))).decision.reason).toBe('drift');
    expect(p.calls).toEqual(['read']);
  });

  it('denies drift without invoking, and retires unused an identity minted alongside the drift read (nothing to reserve)', async () => {
    const p = platformDouble({ state: { replicas: 9 } });
    expect((await broker(p).execute(requestBytes(await issueFor(issuer)))).decision.reason).toBe('drift');
    // Retired before the denial is answered.
    expect(p.calls).toEqual(['read', 'mint', 'retire']);
  });

  it('refuses to execute when the decision cannot be recorded, and becomes unhealthy, saying why', async () => {
    const p = platformDouble();
    const failing = { appendDecision: () => Promise.reject(new Error('disk full')), appendAllow: () => Promise.reject(new Error('disk full')) } as unknown as RecordLog;
    const b = broker(p, failing);
    const reported: string[] = [];
    b.onLogFailure((e) => reported.push(e.message));
    const r = await b.execute(requestBytes(await issueFor(issuer)));
    expect(r.decision.reason).toBe('audit_unavailable');
    // Minted alongside the drift read (nothing to reserve), never used, retired.
    expect(p.calls).toEqual(['read', 'mint', 'retire']);
    expect(b.health()).toEqual({ ok: false, reason: 'a record could not be appended: disk full' });
    expect(reported).toEqual(['disk full']);
  });

  it.each([
    ['creates objects (a reservation): it mints only after', () => reservingDouble(), ['read'], ['read', 'mint', 'invoke@7', 'retire']],
    ['creates nothing: it may mint alongside the drift read, but invokes only after', () => platformDouble(), ['read', 'mint'], ['read', 'mint', 'invoke@7', 'retire']],
  ])("when the mint %s the allow's decision and intent are on disk together, and refuses when they cannot be written", async (_, double, beforeDurable, all) => {
    const p = double();
    const real = SqliteRecordLog.open(join(dir, 'log.db'), { broker: 'broker-1', key: brokerKey, now: () => NOW_MS });
    let fail = true;
    const log: RecordLog = {
      appendDecision: (d) => real.appendDecision(d),
      appendIntent: (i) => real.appendIntent(i),
      appendAllow: async (d, intent) => {
        if (fail) throw new Error('disk full');
        const written = await real.appendAllow(d, intent);
        // Durable here: nothing has been invoked yet.
        expect(p.calls).toEqual(beforeDurable);
        expect(kinds()).toEqual(['decision', 'intent']);
        return written;
      },
      appendOutcome: (o) => real.appendOutcome(o),
      appendTally: (t) => real.appendTally(t),
      treeHead: () => real.treeHead(),
      inclusionProof: (seq) => real.inclusionProof(seq),
      consistencyProof: (from) => real.consistencyProof(from),
      openAllows: () => real.openAllows(),
      close: () => real.close(),
    };
    const b = broker(p, log);
    expect((await b.execute(requestBytes(await issueFor(issuer)))).decision.reason).toBe('audit_unavailable');
    expect(p.calls.filter((c) => c.startsWith('invoke'))).toEqual([]);
    expect(b.health()).toMatchObject({ ok: false });
    expect(entryCount()).toBe(0);
    fail = false;
    p.calls.length = 0;
    expect(await b.execute(requestBytes(await issueFor(issuer)))).toMatchObject({ outcome: 'succeeded' });
    expect(p.calls).toEqual(all);
    await real.close();
    expect(kinds()).toEqual(['decision', 'intent', 'outcome']);
    expect(audit()).toMatchObject({ ok: true });
  });

  it('records the decision and ends it with mint_failed, minting nothing, when the executor names cannot be reserved', async () => {
    const p = reservingDouble();
    p.reserve = () => {
      throw new Error('no names left');
    };
    const r = await broker(p).execute(requestBytes(await issueFor(issuer)));
    expect(r).toMatchObject({ decision: { reason: 'mint_failed' }, outcome: 'failed', detail: 'no names left' });
    expect(p.calls).toEqual(['read']);
    expect(kinds()).toEqual(['decision', 'outcome']);
    expect(audit()).toMatchObject({ ok: true });
  });

  it('becomes unhealthy when an outcome cannot be written', async () => {
    const p = platformDouble();
    const real = SqliteRecordLog.open(join(dir, 'log.db'), { broker: 'broker-1', key: brokerKey, now: () => NOW_MS });
    const log = { appendAllow: (d, i) => real.appendAllow(d, i), appendOutcome: () => Promise.reject(new Error('io')) } as Partial<RecordLog> as RecordLog;
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

  it('counts denials before the signature verified in one tally record per flush, and records each verified certificate on its own', async () => {
    const b = broker(platformDouble());
    const junk = ['{}', 'not json', '{"certificate":"a.b.c","contract":{}}'];
    for (const body of junk) expect((await b.execute(Buffer.from(body))).decision.reason).toBe('malformed');
    const valid = await issueFor(issuer);
    const [h, p, sig] = valid.split('.') as [string, string, string];
    const badSignature = `${h}.${p}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`;
    expect((await b.execute(requestBytes(badSignature))).decision.reason).toBe('bad_signature');
    expect(entryCount()).toBe(0);
    await b.flushTally();
    await b.flushTally(); // nothing new: no record
    expect(entryCount()).toBe(1);
    expect(records()[0]).toMatchObject({ kind: 'tally', counts: { malformed: 3, bad_signature: 1 }, from: NOW_MS, to: NOW_MS });
    // A genuine certificate for another broker: its denial is recorded individually.
    expect((await b.execute(requestBytes(await issueFor(issuer, { audience: 'seb.elsewhere' })))).decision.reason).toBe('wrong_audience');
    expect(records().map((r) => r.kind)).toEqual(['tally', 'decision']);
    expect(audit()).toMatchObject({ ok: true, size: 2 });
  });

  it('keeps the counts for the next flush when the tally cannot be written', async () => {
    let fail = true;
    const appended: unknown[] = [];
    const log = {
      appendTally: (t: unknown) => (fail ? Promise.reject(new Error('disk full')) : (appended.push(t), Promise.resolve({ seq: 0, hash: '', treeHead: {} }))),
    } as unknown as RecordLog;
    const b = broker(platformDouble(), log);
    await b.execute(Buffer.from('{}'));
    await expect(b.flushTally()).rejects.toThrow('disk full');
    await b.execute(Buffer.from('[]'));
    fail = false;
    await b.flushTally();
    expect(appended).toEqual([{ from: NOW_MS, to: NOW_MS, counts: { malformed: 2 } }]);
  });
});
