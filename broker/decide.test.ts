// Predicates 9 and 10 as the broker sequences them: a ledger or a platform
// that fails denies, and a denied request never consumes a use.
import { beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, freshState, issueFor, makeIssuer, NOW_S, requestBytes, SAMPLE_CONTRACT, SAMPLE_STATE, type Issuer } from '../harness/sample-certificates.js';
import { agentThumbprint, makeProof } from './agent/proof.js';
import { importPrivateJwk } from './core/keys.js';
import { generateSigningKey } from './sab/keygen.js';
import type { ReplayLedger, UseClaim } from './core/ports/ledger.js';
import type { LiveState } from './core/predicates/drift.js';
import { decide, type LiveStateSource } from './decide.js';

const NOW_MS = NOW_S * 1000 + 1000;
let issuer: Issuer;
let bytes: Buffer;

beforeAll(async () => {
  issuer = await makeIssuer();
  bytes = requestBytes(await issueFor(issuer, { uses: 2 }));
});

/** An in-memory ledger double that records what it was asked. */
function memoryLedger(fail = false): ReplayLedger & { claims: UseClaim[] } {
  const used = new Map<string, number>();
  const claims: UseClaim[] = [];
  return {
    claims,
    async consume(c) {
      claims.push(c);
      if (fail) throw new Error('ledger down');
      const n = used.get(c.jti) ?? 0;
      if (n >= c.uses) return 'exhausted';
      used.set(c.jti, n + 1);
      return 'consumed';
    },
    async prune() {
      return 0;
    },
    async close() {},
  };
}

const base = () => ({ requestBytes: bytes, policy: issuer.policy, state: freshState(NOW_MS), nowMs: NOW_MS });

let planned = 0;
/** A live state source that plans once per call and reads with `read`. */
function source(read: () => Promise<LiveState>): LiveStateSource<string> {
  return {
    plan: () => {
      planned++;
      return 'the plan';
    },
    read,
  };
}

describe('decide', () => {
  it('consumes one use per allow, keyed by issuer and jti, retained past expiry plus skew', async () => {
    const ledger = memoryLedger();
    expect((await decide({ ...base(), ledger })).decision.decision).toBe('allow');
    expect((await decide({ ...base(), ledger })).decision.decision).toBe('allow');
    expect((await decide({ ...base(), ledger })).decision.reason).toBe('replayed');
    expect(ledger.claims[0]).toMatchObject({ issuer: 'sab.test', uses: 2, retainUntilMs: (NOW_S + 300 + 30) * 1000 });
  });

  it('denies ledger_unavailable when the ledger fails', async () => {
    expect((await decide({ ...base(), ledger: memoryLedger(true) })).decision.reason).toBe('ledger_unavailable');
  });

  it('does not touch the ledger for a denied request', async () => {
    const ledger = memoryLedger();
    const denied = await decide({ ...base(), state: freshState(NOW_MS, { policyEpoch: 9 }), ledger });
    expect(denied.decision.reason).toBe('policy_epoch_mismatch');
    expect(ledger.claims).toHaveLength(0);
  });

  it('checks drift against the live state, and denies state_unavailable when it cannot read it', async () => {
    const allowed = await decide({ ...base(), liveState: source(async () => ({ state: SAMPLE_STATE, version: '7' })) });
    expect(allowed.decision.decision).toBe('allow');
    // The allow carries the one plan made, and the state the drift check saw (the write's precondition).
    expect(allowed.allowed).toMatchObject({ plan: 'the plan', live: { state: SAMPLE_STATE, version: '7' } });
    expect(planned).toBe(1);
    const drifted = await decide({ ...base(), liveState: source(async () => ({ state: { replicas: 9 } })) });
    expect(drifted.decision.reason).toBe('drift');
    expect(drifted.allowed).toBeUndefined();
    const unreachable = await decide({ ...base(), liveState: source(() => Promise.reject(new Error('ECONNREFUSED'))) });
    expect(unreachable.decision.reason).toBe('state_unavailable');
  });

  it('decides replay before drift', async () => {
    const ledger = memoryLedger();
    const drifted = { liveState: source(async () => ({ state: { replicas: 9 } })) };
    await decide({ ...base(), ledger });
    await decide({ ...base(), ledger });
    expect((await decide({ ...base(), ledger, ...drifted })).decision.reason).toBe('replayed');
  });

  it('reads the live state while the use is consumed, but hands work on (onConsumed) only once the use is taken', async () => {
    const events: string[] = [];
    let consumed: (r: 'consumed' | 'exhausted') => void = () => undefined;
    const ledger: ReplayLedger = { consume: () => (events.push('consume'), new Promise((r) => (consumed = r))), prune: async () => 0, close: async () => {} };
    const liveState = source(async () => (events.push('read'), { state: SAMPLE_STATE, version: '7' }));
    const onConsumed = () => void events.push('consumed');
    const replay = decide({ ...base(), ledger, liveState, onConsumed });
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['read', 'consume']);
    consumed('exhausted');
    expect((await replay).decision.reason).toBe('replayed');
    expect(events).toEqual(['read', 'consume']);
    const fresh = decide({ ...base(), ledger, liveState, onConsumed });
    await new Promise((r) => setImmediate(r));
    consumed('consumed');
    expect((await fresh).decision.decision).toBe('allow');
    expect(events).toEqual(['read', 'consume', 'read', 'consume', 'consumed']);
  });

  it('denies ledger_unavailable before state_unavailable when both fail', async () => {
    const unreachable = source(() => Promise.reject(new Error('ECONNREFUSED')));
    expect((await decide({ ...base(), ledger: memoryLedger(true), liveState: unreachable })).decision.reason).toBe('ledger_unavailable');
  });

  it('confirms a cached read that does not match (or fails) with an authoritative one, which decides; a match needs no confirmation', async () => {
    const reads: string[] = [];
    const cached = (state: unknown, fail = false): LiveStateSource<string> => ({
      plan: () => 'the plan',
      read: async () => (reads.push('cache'), fail ? Promise.reject(new Error('cache down')) : { state: state as never, version: '6' }),
      confirm: async () => (reads.push('platform'), { state: SAMPLE_STATE, version: '7' }),
    });
    // A stale cache: the platform's state matches, and the write is conditioned on the platform's version.
    const stale = await decide({ ...base(), liveState: cached({ replicas: 9 }) });
    expect(stale.allowed).toMatchObject({ live: { state: SAMPLE_STATE, version: '7' } });
    expect(reads).toEqual(['cache', 'platform']);
    reads.length = 0;
    const matching = await decide({ ...base(), liveState: cached(SAMPLE_STATE) });
    expect(matching.allowed).toMatchObject({ live: { version: '6' } });
    expect(reads).toEqual(['cache']);
    reads.length = 0;
    expect((await decide({ ...base(), liveState: cached(undefined, true) })).decision.decision).toBe('allow');
    expect(reads).toEqual(['cache', 'platform']);
    // The platform's read decides a denial too.
    const drifted: LiveStateSource<string> = { ...cached({ replicas: 9 }), confirm: async () => ({ state: { replicas: 8 }, version: '8' }) };
    expect((await decide({ ...base(), liveState: drifted })).decision.reason).toBe('drift');
    const unreadable: LiveStateSource<string> = { ...cached({ replicas: 9 }), confirm: () => Promise.reject(new Error('ECONNREFUSED')) };
    expect((await decide({ ...base(), liveState: unreadable })).decision.reason).toBe('state_unavailable');
  });

  it('confirms a matching cached read whose version is not the certified one (it may be stale), and writes on the confirmed version', async () => {
    const reads: string[] = [];
    const certified = requestBytes(await issueFor(issuer, { preVersion: '7' }));
    const cached = (version: string): LiveStateSource<string> => ({
      plan: () => 'the plan',
      read: async () => (reads.push('cache'), { state: SAMPLE_STATE, version }),
      confirm: async () => (reads.push('platform'), { state: SAMPLE_STATE, version: '7' }),
    });
    expect((await decide({ ...base(), requestBytes: certified, liveState: cached('5') })).allowed).toMatchObject({ live: { version: '7' } });
    expect(reads).toEqual(['cache', 'platform']);
    reads.length = 0;
    expect((await decide({ ...base(), requestBytes: certified, liveState: cached('7') })).allowed).toMatchObject({ live: { version: '7' } });
    expect(reads).toEqual(['cache']);
  });

  it('refuses a captured request with its proof while uses remain: each proof names one use, spent once', async () => {
    const agent = importPrivateJwk((await generateSigningKey('EdDSA', 'agent-1')).privateJwk);
    const cert = await issueFor(issuer, { uses: 3, confirmationJkt: agentThumbprint(agent) });
    const { jti, cdg } = JSON.parse(Buffer.from(cert.split('.')[1] as string, 'base64url').toString()) as { jti: string; cdg: string };
    const withProof = (use: number) => requestBytes(cert, SAMPLE_CONTRACT, makeProof(agent, { aud: AUDIENCE, jti, cdg, use }, NOW_S));
    const ledger = memoryLedger();
    const run = (bytes: Buffer) => decide({ ...base(), requestBytes: bytes, ledger });
    expect((await run(withProof(1))).decision.decision).toBe('allow');
    // The same bytes again, two uses left: a replay, not a second use.
    expect((await run(withProof(1))).decision.reason).toBe('replayed');
    expect((await run(withProof(3))).decision.decision).toBe('allow');
    expect((await run(withProof(3))).decision.reason).toBe('replayed');
    expect((await run(withProof(4))).decision.reason).toBe('pop_invalid');
    expect(ledger.claims.every((c) => c.uses === 1 && c.jti.startsWith(`${jti}#`))).toBe(true);
  });
});
