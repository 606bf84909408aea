// The feed as keys spell it: what a put or a delete does to the view, and
// that a value which is not a count is held aside, never read as 0.
import { describe, expect, it } from 'vitest';
import { ledgerKey } from './ledger.js';
import { readRevocationKey, revocationKeys } from './keys.js';
import { applyChange, EMPTY_FEED, readCount, readFeed } from './revocation-feed.js';

const P = '/seb';
const keys = revocationKeys(P);
const kv = (key: Buffer, value = '') => ({ key, value: Buffer.from(value) });

describe('the revocation feed', () => {
  it('reads floor, epoch and revoked ids from a full read, ignoring keys it does not know', () => {
    const feed = readFeed(P, [kv(keys.floor, '4'), kv(keys.epoch, '7'), kv(keys.jti('a')), kv(keys.jti('b')), kv(Buffer.from('/seb/revocation/later'), 'x')]);
    expect(feed).toEqual({ floor: 4, epoch: 7, revoked: new Set(['a', 'b']), problems: new Set() });
    expect(readFeed(P, [])).toEqual(EMPTY_FEED);
  });

  it('applies puts and deletes without touching a view handed out before', () => {
    const before = readFeed(P, [kv(keys.jti('a'))]);
    const after = applyChange(before, P, 'put', kv(keys.jti('b')));
    expect([...before.revoked]).toEqual(['a']);
    expect([...after.revoked].sort()).toEqual(['a', 'b']);
    expect(applyChange(after, P, 'delete', kv(keys.jti('a'))).revoked).toEqual(new Set(['b']));
    expect(applyChange(after, P, 'delete', kv(keys.floor)).floor).toBe(0);
    expect(applyChange(readFeed(P, [kv(keys.epoch, '3')]), P, 'delete', kv(keys.epoch)).epoch).toBeUndefined();
  });

  it('holds a value that is not a count as a problem until a good one replaces it', () => {
    const bad = readFeed(P, [kv(keys.floor, '4'), kv(keys.floor, '-1')]);
    expect(bad.floor).toBe(4);
    expect([...bad.problems]).toEqual(['/seb/revocation/floor']);
    expect(applyChange(bad, P, 'put', kv(keys.floor, '5'))).toMatchObject({ floor: 5, problems: new Set() });
    for (const text of ['', '01', '1.5', ' 1', '99999999999999999', 'NaN']) expect(readCount(Buffer.from(text))).toBeNull();
    expect(readCount(Buffer.from('9007199254740991'))).toBe(9007199254740991);
  });

  it('lays keys out under the prefix, and never lets a revocation key pass for another', () => {
    expect(keys.jti('a.b:c').toString()).toBe('/seb/revocation/jti/a.b:c');
    expect(readRevocationKey(P, Buffer.from('/seb/revocation/jti/'))).toBeUndefined();
    expect(readRevocationKey(P, Buffer.from('/seb2/revocation/floor'))).toBeUndefined();
    expect(ledgerKey(P, 'a', 'b')).not.toEqual(ledgerKey(P, 'a"', 'b'));
    expect(ledgerKey(P, 'ab', 'c')).not.toEqual(ledgerKey(P, 'a', 'bc'));
  });
});
