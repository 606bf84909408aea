import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import type { JsonValue } from '../core/strict-json.js';
import { awsCredentialsFor } from './aws/credentials.js';
import { exposedKeysWarning, readTargetFile, readTargetInfo, staticKeyHolders } from './from-target.js';

const keys = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' };
const target = (credentials: JsonValue | undefined): JsonValue => ({
  name: 't',
  aws: {
    endpoint: '',
    region: 'eu-west-1',
    executorRoleArn: 'arn:aws:iam::123456789012:role/seb-executor',
    accountId: '123456789012',
    ...(credentials === undefined ? {} : { credentials }),
  },
});

describe('target.json AWS credentials', () => {
  it.each<[string, JsonValue | undefined]>([
    ['static keys', { agent: keys, broker: keys, admin: keys }],
    ['profiles', { agent: { profile: 'agent' }, broker: { profile: 'broker' } }],
    ['the default chain for one identity', { broker: {} }],
    ['no credentials at all (the environment)', undefined],
  ])('accepts %s', (_, credentials) => {
    expect(() => readTargetInfo(target(credentials), 'target.json')).not.toThrow();
  });

  it.each<[string, JsonValue]>([
    ['a profile with keys', { broker: { profile: 'p', ...keys } }],
    ['an empty profile', { broker: { profile: '' } }],
    ['a key without its secret', { broker: { accessKeyId: 'AKIA' } }],
    ['a misspelt member', { broker: { profle: 'p' } }],
    ['an unknown identity', { root: keys }],
  ])('refuses %s', (_, credentials) => {
    expect(() => readTargetInfo(target(credentials), 'target.json')).toThrow(ConfigError);
  });

  it('static keys are handed to the SDK as a copy (it marks what it gets); the rest become providers', () => {
    expect(awsCredentialsFor(keys)).toEqual(keys);
    expect(awsCredentialsFor(keys)).not.toBe(keys);
    expect(typeof awsCredentialsFor({ profile: 'p' })).toBe('function');
    expect(typeof awsCredentialsFor({})).toBe('function');
    expect(typeof awsCredentialsFor(undefined)).toBe('function');
  });
});

describe('exposedKeysWarning', () => {
  const withKeys = readTargetInfo(target({ broker: keys, agent: { profile: 'a' } }), 'f');
  const withoutKeys = readTargetInfo(target({ broker: { profile: 'b' }, agent: {} }), 'f');

  it('warns exactly when static keys sit in a file its group or others may read', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0o777 }), (mode) => {
        const warning = exposedKeysWarning(withKeys, '/t/target.json', 0o100000 | mode);
        expect(warning !== undefined).toBe((mode & 0o044) !== 0);
        expect(exposedKeysWarning(withoutKeys, '/t/target.json', 0o100000 | mode)).toBeUndefined();
      }),
    );
  });

  it('names the file, the identities and the mode, never the secret', () => {
    const warning = exposedKeysWarning(withKeys, '/t/target.json', 0o100644) ?? '';
    expect(warning).toContain('/t/target.json');
    expect(warning).toContain('broker');
    expect(warning).toContain('644');
    expect(warning).not.toContain('secret');
    expect(staticKeyHolders(withKeys)).toEqual(['broker']);
  });
});

describe('readTargetFile', () => {
  it('warns for a world-readable file with keys, and not once it is chmod 600', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seb-target-file-'));
    try {
      const file = join(dir, 'target.json');
      writeFileSync(file, JSON.stringify(target({ broker: keys })));
      chmodSync(file, 0o644);
      const warnings: string[] = [];
      readTargetFile(file, (line) => warnings.push(line));
      chmodSync(file, 0o600);
      readTargetFile(file, (line) => warnings.push(line));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^warning: .*target\.json holds static AWS keys \(broker\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
