// Crash reconciliation with a platform double and a real SQLite record log.
// A crash is a broker whose invoke never returns, whose log is then closed
// under it; the restart opens the same files. Afterwards every allow has
// exactly one outcome and the auditor still accepts the log.
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AUDIENCE, freshState, ISSUER, issueFor, makeIssuer, NOW_S, requestBytes, SAMPLE_CONTRACT, SAMPLE_STATE, SUBJECT, type Issuer } from '../harness/sample-certificates.js';
import { platformDouble } from '../harness/fixtures/platform-double.js';
import { Broker } from './broker.js';
import { assembleBroker } from './config/assemble.js';
import { readSettings } from './config/broker-config.js';
import { jcsDigest } from './core/digest.js';
import { importKeySet, importPrivateJwk, type SigningKey } from './core/keys.js';
import type { InvokeResult } from './core/ports/platform.js';
import { auditLog } from './core/records/audit.js';
import { openEntry } from './core/records/open-entry.js';
import type { LogRecord } from './core/records/record.js';
import { isJsonObject, type JsonValue } from './core/strict-json.js';
import { reconcile, type ReconcilableAdapter } from './reconcile.js';
import { generateSigningKey } from './sab/keygen.js';
import { SqliteLedger } from './stores/sqlite/ledger.js';
import { SqliteRecordLog } from './stores/sqlite/record-log.js';
import { openLogForAudit } from './stores/sqlite/record-log-reader.js';

const NOW_MS = NOW_S * 1000 + 1000;
let issuer: Issuer;
let brokerJwk: JsonValue;
let brokerKey: SigningKey;
let dir: string;

beforeAll(async () => {
  issuer = await makeIssuer();
  brokerJwk = (await generateSigningKey('EdDSA', 'broker-1')).privateJwk;
  brokerKey = importPrivateJwk(brokerJwk);
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seb-reconcile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const logPath = () => join(dir, 'log.db');
const openLog = () => SqliteRecordLog.open(logPath(), { broker: 'broker-1', key: brokerKey, now: () => NOW_MS });
const hang = () => new Promise<InvokeResult>(() => undefined);

/**
 * A Kubernetes-like double with a live state the test moves, and the intent
 * check a real adapter would implement: scale shows in spec.replicas.
 */
function platform(invoke: (set: (s: JsonValue) => void) => Promise<InvokeResult>): ReconcilableAdapter {
  let state: JsonValue = SAMPLE_STATE;
  return {
    ...platformDouble(),
    readLiveState: async () => ({ state, version: '7' }),
    invoke: () =>
      invoke((s) => {
        state = s;
      }),
    matchesIntent: (plan, live) => isJsonObject(live.state) && live.state.replicas === plan.contract.parameters.replicas,
  };
}

/** A platform whose invoke leaves the live state at `landed` (as it was when absent) and never answers, as if the broker died mid-call; `invoked` says once it is in. */
function hangsInInvoke(landed?: JsonValue): { p: ReconcilableAdapter; invoked: () => boolean } {
  let invoked = false;
  const p = platform(async (set) => {
    if (landed !== undefined) set(landed);
    invoked = true;
    return hang();
  });
  return { p, invoked: () => invoked };
}

function brokerOn(adapter: ReconcilableAdapter, log: SqliteRecordLog): Broker {
  return new Broker({
    id: 'broker-1',
    policy: issuer.policy,
    state: () => freshState(NOW_MS),
    ledger: new SqliteLedger(join(dir, 'ledger.db')),
    log,
    platforms: [adapter],
    clock: () => NOW_MS,
  });
}

/** Runs one execution until it is inside invoke, then stops the broker there: its log closed under it. */
async function crashDuringInvoke(adapter: ReconcilableAdapter, started: () => boolean, jti?: string): Promise<void> {
  const log = openLog();
  void brokerOn(adapter, log).execute(requestBytes(await issueFor(issuer, jti === undefined ? {} : { jti })));
  while (!started()) await new Promise((r) => setTimeout(r, 1));
  await log.close();
}

function records(): LogRecord[] {
  const reader = openLogForAudit(logPath());
  try {
    const keys = importKeySet(reader.keys);
    return [...reader.entries()].map((e) => {
      const opened = openEntry(e.jws, keys, 'test');
      if (!opened.ok) throw new Error(opened.message);
      return opened.entry.record;
    });
  } finally {
    reader.close();
  }
}

/** Every allow has exactly one outcome, and the auditor accepts the whole log. */
function expectSettledAndAudited(): void {
  const all = records();
  const allows = all.filter((r) => r.kind === 'decision' && r.decision === 'allow').map((r) => r.seq);
  const outcomesPer = (seq: number) => all.filter((r) => r.kind === 'outcome' && r.decision.seq === seq).length;
  expect(allows.map(outcomesPer)).toEqual(allows.map(() => 1));
  const reader = openLogForAudit(logPath());
  try {
    expect(auditLog({ broker: reader.broker, keys: importKeySet(reader.keys), entries: reader.entries(), treeHeads: reader.treeHeads() })).toMatchObject({ ok: true });
  } finally {
    reader.close();
  }
}

async function restartAndReconcile(adapter: ReconcilableAdapter) {
  const log = openLog();
  try {
    return await reconcile({ log, platforms: [adapter] });
  } finally {
    await log.close();
  }
}

describe('reconcile', () => {
  it('records succeeded when the mutation landed before the crash', async () => {
    const { p, invoked } = hangsInInvoke({ replicas: 3 });
    await crashDuringInvoke(p, invoked);
    expect(await restartAndReconcile(p)).toMatchObject([{ seq: 0, status: 'succeeded', detail: 'reconciled after restart: the live state shows the mutation' }]);
    expectSettledAndAudited();
  });

  it('records failed when the live state is still the certified pre-state', async () => {
    const { p, invoked } = hangsInInvoke();
    await crashDuringInvoke(p, invoked);
    expect(await restartAndReconcile(p)).toMatchObject([{ status: 'failed', detail: expect.stringContaining('pre-state') }]);
    expectSettledAndAudited();
  });

  it.each([
    ['the live state is neither', (a: ReconcilableAdapter) => a, 'neither the pre-state nor the intended state'],
    ['the adapter cannot tell', (a: ReconcilableAdapter): ReconcilableAdapter => ({ ...a, matchesIntent: undefined }), 'cannot check the intended state'],
    ['the live state cannot be read', (a: ReconcilableAdapter): ReconcilableAdapter => ({ ...a, readLiveState: () => Promise.reject(new Error('apiserver down')) }), 'could not be read: apiserver down'],
  ])('records unknown when %s', async (_, restartWith, detail) => {
    const { p, invoked } = hangsInInvoke({ replicas: 5 });
    await crashDuringInvoke(p, invoked);
    expect(await restartAndReconcile(restartWith(p))).toMatchObject([{ status: 'unknown', detail: expect.stringContaining(detail) }]);
    expectSettledAndAudited();
  });

  it('records unknown, never "nothing ran", for an allow without a signed intent', async () => {
    const log = openLog();
    await log.appendDecision({ decision: 'allow', reason: null, jti: 'never-minted', iss: ISSUER, sub: SUBJECT, cdg: jcsDigest(SAMPLE_CONTRACT) });
    await log.close();
    // The mutation may have landed; without an intent the broker cannot know.
    const p = platform(hang);
    expect(await restartAndReconcile(p)).toMatchObject([{ jti: 'never-minted', status: 'unknown', detail: expect.stringContaining('no intent was recorded') }]);
    expectSettledAndAudited();
  });

  it('signs the intent into the log before minting, so deleting it after a crash breaks the log instead of rewriting history', async () => {
    const { p, invoked } = hangsInInvoke({ replicas: 3 });
    await crashDuringInvoke(p, invoked);
    const kinds = records().map((r) => r.kind);
    expect(kinds).toEqual(['decision', 'intent']);
    const db = new Database(logPath());
    db.prepare("DELETE FROM entries WHERE seq = 1").run();
    db.prepare('DELETE FROM tree_heads WHERE size = 2').run();
    db.close();
    // Decision and intent were signed under one head: without it no head covers the decision, and the owner refuses to open the log.
    await expect(restartAndReconcile(p)).rejects.toThrow(/holds 1 records but its newest tree head is stored under size 0; run seb audit verify/);
  });

  it('refuses to reconcile an allow whose intent is gone while the open-allow index still names it', async () => {
    const log = openLog();
    const d = await log.appendDecision({ decision: 'allow', reason: null, jti: 'cut', iss: ISSUER, sub: SUBJECT, cdg: jcsDigest(SAMPLE_CONTRACT) });
    await log.appendIntent({ decision: { seq: d.seq, hash: d.hash }, jti: 'cut', contract: SAMPLE_CONTRACT });
    await log.close();
    const db = new Database(logPath());
    db.prepare('DELETE FROM entries WHERE seq = 1').run();
    db.prepare('DELETE FROM tree_heads WHERE size = 2').run();
    db.close();
    await expect(restartAndReconcile(platform(hang))).rejects.toThrow(/record 1 is missing; run seb audit verify/);
  });

  it('refuses to reconcile from an intent whose contract is not the one the decision signed', async () => {
    const log = openLog();
    const d = await log.appendDecision({ decision: 'allow', reason: null, jti: 'swapped', iss: ISSUER, sub: SUBJECT, cdg: jcsDigest(SAMPLE_CONTRACT) });
    await log.appendIntent({ decision: { seq: d.seq, hash: d.hash }, jti: 'swapped', contract: { ...SAMPLE_CONTRACT, parameters: { replicas: 9 } } });
    await log.close();
    await expect(restartAndReconcile(platform(hang))).rejects.toThrow(/not the one decision 0 signed/);
  });

  it('deletes what the crashed mint left behind: the executor objects its signed intent reserved', async () => {
    const { p: hanging, invoked } = hangsInInvoke({ replicas: 3 });
    const retired: JsonValue[] = [];
    const reservation = { secret: 'seb-bind-0123456789abcdef0123' };
    const p: ReconcilableAdapter = {
      ...hanging,
      reserve: () => reservation,
      retireReserved: async (r) => void retired.push(r),
    };
    await crashDuringInvoke(p, invoked);
    const intent = records()[1];
    expect(intent).toMatchObject({ kind: 'intent', executor: reservation });
    expect(await restartAndReconcile(p)).toMatchObject([{ status: 'succeeded', detail: expect.stringContaining('the executor objects it reserved are removed') }]);
    expect(retired).toEqual([reservation]);
    expectSettledAndAudited();
  });

  it('says so in the outcome when the leftovers cannot be removed', async () => {
    const { p: hanging, invoked } = hangsInInvoke();
    const p: ReconcilableAdapter = {
      ...hanging,
      reserve: () => ({ secret: 'seb-bind-0123456789abcdef0123' }),
      retireReserved: () => Promise.reject(new Error('apiserver down')),
    };
    await crashDuringInvoke(p, invoked);
    expect(await restartAndReconcile(p)).toMatchObject([{ status: 'failed', detail: expect.stringContaining('could not be removed: apiserver down') }]);
    expectSettledAndAudited();
  });

  it('leaves finished executions alone and is idempotent', async () => {
    const done = platform(async (set) => {
      set({ replicas: 3 });
      return { status: 'succeeded' };
    });
    const log = openLog();
    expect(await brokerOn(done, log).execute(requestBytes(await issueFor(issuer, { jti: 'finished' })))).toMatchObject({ outcome: 'succeeded' });
    await log.close();
    const { p: crashed, invoked } = hangsInInvoke();
    await crashDuringInvoke(crashed, invoked, 'crashed');

    expect((await restartAndReconcile(crashed)).map((r) => r.jti)).toEqual(['crashed']);
    expect(await restartAndReconcile(crashed)).toEqual([]);
    expectSettledAndAudited();
  });

  it.each([
    ['a ledger file of its own', 'ledger.db'],
    ["the ledger in the record log's database", 'log.db'],
  ])('runs from an assembled broker with %s: the crash leaves an intent and a spent use, the restart ends the allow', async (_, ledger) => {
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify(issuer.jwks));
    writeFileSync(join(dir, 'broker.jwk.json'), JSON.stringify(brokerJwk));
    const settings = readSettings(
      { id: 'broker-1', issuers: [ISSUER], audience: AUDIENCE, trustedKeys: 'jwks.json', brokerKey: 'broker.jwk.json', ledger, recordLog: 'log.db' },
      dir,
      'test config',
    );
    const { p, invoked } = hangsInInvoke({ replicas: 3 });
    const first = await assembleBroker(settings, [p], { clock: () => NOW_MS });
    const request = requestBytes(await issueFor(issuer));
    void first.broker.execute(request);
    while (!invoked()) await new Promise((r) => setTimeout(r, 1));
    // A second broker on the same settings (seb execute beside seb serve) is refused before it can reconcile the running allow.
    await expect(assembleBroker(settings, [p], { clock: () => NOW_MS })).rejects.toThrow(/already open for writing by another broker process/);
    expect(records().map((r) => r.kind)).toEqual(['decision', 'intent']);
    await first.close();
    const second = await assembleBroker(settings, [p], { clock: () => NOW_MS });
    try {
      expect(await second.reconcile()).toMatchObject([{ status: 'succeeded' }]);
      expect((await second.broker.execute(request)).decision.reason).toBe('replayed');
    } finally {
      await second.close();
    }
    expect(existsSync(join(dir, 'ledger.db'))).toBe(ledger === 'ledger.db');
    expectSettledAndAudited();
  });
});
