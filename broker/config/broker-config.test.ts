import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, IoError } from '../core/errors.js';
import { loadBrokerSettings, readSettings } from './broker-config.js';

const minimal = { issuers: ['sab'], audience: 'seb', trustedKeys: 'k.json', brokerKey: 'b.json', ledger: 'l.db', recordLog: 'r.db' };

describe('broker settings', () => {
  it('fills defaults and resolves paths against the file', () => {
    const s = readSettings(minimal, '/etc/seb', 'c');
    expect(s).toMatchObject({ id: 'seb-1', issuers: [{ name: 'sab', keys: '/etc/seb/k.json' }], sharedLedgerAudiences: [], maxSkewS: 30, maxLifetimeS: 3600, kubernetes: { mode: 'impersonation' }, listen: { host: '127.0.0.1', port: 8080 } });
    expect(s.revocation).toEqual({ floor: 0, revoked: [], maxAgeMs: 2000 });
  });

  it.each([
    ['an unknown setting', { ...minimal, verbose: true }, /c: verbose: unknown setting/],
    ['an unknown nested setting', { ...minimal, listen: { port: 1, tls: 1 } }, /listen\.tls: unknown setting/],
    ['a missing audience', { ...minimal, audience: undefined }, /c: audience: must be a non-empty string/],
    ['a fractional skew', { ...minimal, maxSkewS: 1.5 }, /maxSkewS: must be an integer/],
    ['a port out of range', { ...minimal, listen: { port: 70000 } }, /listen\.port/],
    ['an unknown mode', { ...minimal, kubernetes: { mode: 'shared' } }, /kubernetes\.mode/],
    ['no issuers', { ...minimal, issuers: [] }, /issuers/],
    ['several issuers sharing one key set', { ...minimal, issuers: ['sab', 'sab-2'] }, /issuers: several issuers each need their own keys/],
    ['an issuer named twice', { ...minimal, trustedKeys: undefined, issuers: [{ name: 'a', keys: 'a.json' }, { name: 'a', keys: 'b.json' }] }, /issuer "a" named twice/],
    ['trustedKeys beside per-issuer keys', { ...minimal, issuers: [{ name: 'a', keys: 'a.json' }] }, /c: trustedKeys: not used/],
    ['an issuer without keys', { ...minimal, trustedKeys: undefined, issuers: [{ name: 'a' }] }, /issuers\[0\]\.keys/],
    ['a skew over the cap', { ...minimal, maxSkewS: 301 }, /maxSkewS: must be an integer from 0 to 300/],
    ['a shared ledger audience that is not a string', { ...minimal, sharedLedgerAudiences: [1] }, /sharedLedgerAudiences/],
    ['a shared ledger audience with the ledger in the record log', { ...minimal, ledger: './r.db', sharedLedgerAudiences: ['seb-2'] }, /sharedLedgerAudiences: a ledger in the record log's file is this broker's alone/],
    ['a tally interval over an hour', { ...minimal, tallyIntervalS: 3601 }, /tallyIntervalS: must be an integer from 1 to 3600/],
    ['a rate limit of zero', { ...minimal, rateLimit: { perSecond: 0 } }, /rateLimit\.perSecond: must be an integer from 1 to 100000/],
    ['a rate limit burst out of bounds', { ...minimal, rateLimit: { perSecond: 5, burst: 1e6 } }, /rateLimit\.burst/],
    ['an unknown rate limit setting', { ...minimal, rateLimit: { perSecond: 5, perMinute: 1 } }, /rateLimit\.perMinute: unknown setting/],
    ['a bad revoked id', { ...minimal, revocation: { revoked: ['has space'] } }, /revocation\.revoked/],
  ])('refuses %s, naming the setting', (_, raw, message) => {
    expect(() => readSettings(JSON.parse(JSON.stringify(raw)), '/x', 'c')).toThrow(ConfigError);
    expect(() => readSettings(JSON.parse(JSON.stringify(raw)), '/x', 'c')).toThrow(message);
  });

  it('binds each issuer to its own keys', () => {
    const s = readSettings({ ...minimal, trustedKeys: undefined, issuers: [{ name: 'a', keys: 'a.json' }, { name: 'b', keys: '/k/b.json' }], sharedLedgerAudiences: ['seb-2'] }, '/etc/seb', 'c');
    expect(s.issuers).toEqual([{ name: 'a', keys: '/etc/seb/a.json' }, { name: 'b', keys: '/k/b.json' }]);
    expect(s.sharedLedgerAudiences).toEqual(['seb-2']);
    expect(s.rateLimit).toBeUndefined();
    expect(readSettings({ ...minimal, rateLimit: { perSecond: 20 } }, '/x', 'c').rateLimit).toEqual({ perSecond: 20, burst: 20 });
  });

  it('reads YAML files and refuses duplicate keys and unreadable files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seb-config-'));
    try {
      writeFileSync(join(dir, 'ok.yaml'), 'issuers: [sab]\naudience: seb\ntrustedKeys: k.json\nbrokerKey: b.json\nledger: l.db\nrecordLog: r.db\n');
      expect(loadBrokerSettings(join(dir, 'ok.yaml')).ledger).toBe(join(dir, 'l.db'));
      writeFileSync(join(dir, 'dup.yaml'), 'audience: a\naudience: b\n');
      expect(() => loadBrokerSettings(join(dir, 'dup.yaml'))).toThrow(ConfigError);
      expect(() => loadBrokerSettings(join(dir, 'missing.yaml'))).toThrow(IoError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
