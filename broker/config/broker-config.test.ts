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
    expect(s).toMatchObject({ id: 'seb-1', trustedKeys: '/etc/seb/k.json', maxSkewS: 30, maxLifetimeS: 3600, kubernetes: { mode: 'impersonation' }, listen: { host: '127.0.0.1', port: 8080 } });
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
    ['a bad revoked id', { ...minimal, revocation: { revoked: ['has space'] } }, /revocation\.revoked/],
  ])('refuses %s, naming the setting', (_, raw, message) => {
    expect(() => readSettings(JSON.parse(JSON.stringify(raw)), '/x', 'c')).toThrow(ConfigError);
    expect(() => readSettings(JSON.parse(JSON.stringify(raw)), '/x', 'c')).toThrow(message);
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
