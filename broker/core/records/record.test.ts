import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TYP_RECORD } from '../crypto-params.js';
import { signCompact } from '../jws.js';
import { importKeySet, importPrivateJwk, type SigningKey } from '../keys.js';
import { openEntry } from './open-entry.js';
import { GENESIS_PREV, entryHash, signEntry, type LogRecord } from './record.js';

function newKey(kid: string): SigningKey {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  return importPrivateJwk({ ...(jwk as Record<string, string>), kid, alg: 'EdDSA' });
}

const key = newKey('broker-1');
const keys = importKeySet({ keys: [key.publicJwk] });
const allow: LogRecord = { kind: 'decision', seq: 0, time: 1, broker: 'b', jti: 'j', iss: 'i', sub: 's', cdg: 'c', decision: 'allow', reason: null };

describe('entries', () => {
  it('round-trip through sign and open, leaving out absent optional members', () => {
    const outcome: LogRecord = { kind: 'outcome', seq: 1, time: 2, broker: 'b', decision: { seq: 0, hash: 'h' }, jti: 'j', status: 'failed', detail: undefined };
    const opened = openEntry(signEntry(key, outcome, 'p'), keys, 'r');
    expect(opened).toEqual({ ok: true, entry: { record: { kind: 'outcome', seq: 1, time: 2, broker: 'b', decision: { seq: 0, hash: 'h' }, jti: 'j', status: 'failed' }, prev: 'p' } });
    const deny: LogRecord = { ...allow, decision: 'deny', reason: 'malformed', jti: null, iss: null, sub: null, cdg: null, phases: { verify: 0.25, mint: undefined } };
    const jws = signEntry(key, deny, GENESIS_PREV);
    expect(Buffer.from(jws.split('.')[1]!, 'base64url').toString()).toContain('"phases":{"verify":0.25}');
    expect(openEntry(jws, keys, 'r')).toMatchObject({ ok: true, entry: { record: { ...deny, phases: { verify: 0.25 } } } });
  });

  it('hash the JWS, and define prev of the first entry as the hash of no bytes', () => {
    expect(GENESIS_PREV).toBe('47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
    expect(entryHash('a.b.c')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuse another key, another typ, a non-canonical payload and broken invariants', () => {
    const jws = signEntry(key, allow, 'p');
    expect(openEntry(jws, importKeySet({ keys: [newKey('broker-1').publicJwk] }), 'r')).toMatchObject({ ok: false, problem: 'bad_signature' });
    expect(openEntry(jws, importKeySet({ keys: [newKey('other').publicJwk] }), 'r')).toMatchObject({ ok: false, problem: 'unknown_key' });
    expect(openEntry(signCompact(key, 'seb-sth+jws', '{}'), keys, 'r')).toMatchObject({ ok: false, problem: 'malformed' });
    const spaced = JSON.stringify({ ...allow, prev: 'p' }, null, 1);
    expect(openEntry(signCompact(key, TYP_RECORD, spaced), keys, 'r')).toMatchObject({ ok: false, problem: 'not_canonical' });
    const bad = (payload: object) => openEntry(signEntry(key, payload as LogRecord, 'p'), keys, 'r');
    expect(bad({ ...allow, reason: 'drift' })).toMatchObject({ ok: false, problem: 'malformed' });
    expect(bad({ ...allow, jti: null })).toMatchObject({ ok: false, problem: 'malformed' });
    expect(bad({ ...allow, decision: 'deny' })).toMatchObject({ ok: false, problem: 'malformed' });
    expect(bad({ ...allow, extra: 1 })).toMatchObject({ ok: false, problem: 'malformed' });
    expect(bad({ ...allow, seq: -1 })).toMatchObject({ ok: false, problem: 'malformed' });
    expect(bad({ ...allow, reason: 'no_such_reason', decision: 'deny' })).toMatchObject({ ok: false, problem: 'malformed' });
  });

  it('open a tally of denials before the signature, and refuse one that counts anything else', () => {
    const tally: LogRecord = { kind: 'tally', seq: 0, time: 9, broker: 'b', from: 1, to: 8, counts: { malformed: 3, unknown_key: 1 } };
    expect(openEntry(signEntry(key, tally, 'p'), keys, 'r')).toEqual({ ok: true, entry: { record: tally, prev: 'p' } });
    const bad = (payload: object) => openEntry(signEntry(key, { ...tally, ...payload } as LogRecord, 'p'), keys, 'r');
    // A verified certificate's denial is recorded on its own, never folded into a count.
    expect(bad({ counts: { wrong_audience: 1 } })).toMatchObject({ ok: false, problem: 'malformed' });
    expect(bad({ counts: { malformed: 0 } })).toMatchObject({ ok: false, problem: 'malformed' });
    expect(bad({ counts: {} })).toMatchObject({ ok: false, problem: 'malformed' });
    expect(bad({ from: 9, to: 8 })).toMatchObject({ ok: false, problem: 'malformed' });
    expect(bad({ jti: 'j' })).toMatchObject({ ok: false, problem: 'malformed' });
  });
});
