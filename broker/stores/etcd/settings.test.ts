// The etcd state backend in the broker's settings: defaults, and refusals
// that name the setting at fault.
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../config/broker-config.js';
import { ConfigError } from '../../core/errors.js';

const base = { issuers: ['sab'], audience: 'seb', trustedKeys: 'k.json', brokerKey: 'b.json', recordLog: 'r.db' };
const etcd = { endpoints: ['https://127.0.0.1:2379', 'https://10.0.0.2:2379'], ca: 'ca.crt', cert: 'b.crt', key: 'b.key' };

describe('etcd settings', () => {
  it('fills prefix and deadline, resolves the TLS files, and needs no SQLite ledger', () => {
    const s = readSettings({ ...base, etcd }, '/etc/seb', 'c');
    expect(s.etcd).toEqual({ ...etcd, ca: '/etc/seb/ca.crt', cert: '/etc/seb/b.crt', key: '/etc/seb/b.key', prefix: '/seb', timeoutMs: 1000 });
    expect(s.ledger).toBeUndefined();
  });

  it.each([
    ['no ledger at all', { ...base }, /c: ledger: must be a non-empty string/],
    ['both ledgers', { ...base, ledger: 'l.db', etcd }, /c: ledger: not used with etcd/],
    ['a static revocation list beside the feed', { ...base, etcd, revocation: { revoked: ['a'] } }, /revocation\.revoked: not used with etcd/],
    ['a static floor beside the feed', { ...base, etcd, revocation: { floor: 2 } }, /revocation\.floor: not used with etcd/],
    ['no endpoints', { ...base, etcd: { ...etcd, endpoints: [] } }, /etcd\.endpoints/],
    ['a plain-text endpoint', { ...base, etcd: { ...etcd, endpoints: ['http://127.0.0.1:2379'] } }, /etcd\.endpoints/],
    ['an endpoint without a port', { ...base, etcd: { ...etcd, endpoints: ['https://etcd.local'] } }, /etcd\.endpoints/],
    ['a relative prefix', { ...base, etcd: { ...etcd, prefix: 'seb' } }, /etcd\.prefix/],
    ['a trailing slash', { ...base, etcd: { ...etcd, prefix: '/seb/' } }, /etcd\.prefix/],
    ['a deadline as long as the staleness bound', { ...base, etcd: { ...etcd, timeoutMs: 2000 } }, /etcd\.timeoutMs/],
    ['a missing client key', { ...base, etcd: { ...etcd, key: undefined } }, /etcd\.key/],
    ['an unknown etcd setting', { ...base, etcd: { ...etcd, user: 'root' } }, /etcd\.user: unknown setting/],
  ])('refuses %s, naming the setting', (_, raw, message) => {
    const read = () => readSettings(JSON.parse(JSON.stringify(raw)), '/x', 'c');
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
  });
});
