// The command-line contract of `seb sab` and `seb verify`, through main():
// what it prints, and its exit codes (0 allow, 1 deny, 2 usage or input error).
import { mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSeb } from '../../harness/fixtures/run-seb.js';

let dir: string;
const path = (name: string) => join(dir, name);

const CONTRACT = { platform: 'aws', target: { arn: 'arn:aws:s3:::b' }, operation: 's3:PutBucketTagging', parameters: { tags: { a: '1' } } };
const verifyArgs = (...extra: string[]) => ['verify', '--keys', path('sab/jwks.json'), '--issuer', 'sab', '--audience', 'seb', '--request', path('req.json'), '--now', '1800000010', ...extra];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-cli-'));
  writeFileSync(path('contract.json'), JSON.stringify(CONTRACT));
  writeFileSync(path('state.json'), '{"tags":{}}');
  expect((await runSeb('sab', 'keygen', '--alg', 'ES256', '--kid', 'k1', '--out', path('sab'))).code).toBe(0);
  const issued = await runSeb('sab', 'issue', '--key', path('sab/private.jwk.json'), '--issuer', 'sab', '--audience', 'seb', '--subject', 'agent', '--contract', path('contract.json'), '--now', '1800000000', '--pre-state', path('state.json'), '--jti', 'cert-1');
  expect(issued.code).toBe(0);
  writeFileSync(path('req.json'), JSON.stringify({ certificate: issued.out.trim(), contract: CONTRACT }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('seb sab keygen', () => {
  it('writes a private JWK readable only by its owner, and a public JWKS', () => {
    const priv = JSON.parse(readFileSync(path('sab/private.jwk.json'), 'utf8'));
    expect(priv).toMatchObject({ kty: 'EC', crv: 'P-256', kid: 'k1', alg: 'ES256' });
    expect(statSync(path('sab/private.jwk.json')).mode & 0o077).toBe(0);
    const jwks = JSON.parse(readFileSync(path('sab/jwks.json'), 'utf8'));
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0].d).toBeUndefined();
  });

  it('refuses an algorithm off the allowlist', async () => {
    const r = await runSeb('sab', 'keygen', '--alg', 'HS256', '--kid', 'k', '--out', path('x'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--alg must be EdDSA or ES256/);
  });
});

describe('seb verify', () => {
  it('prints one JSON line and exits 0 on allow', async () => {
    const r = await runSeb(...verifyArgs());
    expect(r).toMatchObject({ code: 0, out: '{"decision":"allow","reason":null,"jti":"cert-1"}\n' });
  });

  it('exits 1 with the reason on deny', async () => {
    const r = await runSeb(...verifyArgs('--policy-epoch', '3'));
    expect(r).toMatchObject({ code: 1, out: '{"decision":"deny","reason":"policy_epoch_mismatch","jti":"cert-1"}\n' });
  });

  it('consumes a use only with --ledger', async () => {
    expect((await runSeb(...verifyArgs())).code).toBe(0);
    expect((await runSeb(...verifyArgs('--ledger', path('ledger.db')))).code).toBe(0);
    const again = await runSeb(...verifyArgs('--ledger', path('ledger.db')));
    expect(again.out).toContain('"reason":"replayed"');
  });

  it('compares --live-state with pre', async () => {
    writeFileSync(path('live.json'), '{"tags":{"x":"y"}}');
    expect((await runSeb(...verifyArgs('--live-state', path('live.json')))).out).toContain('"reason":"drift"');
    expect((await runSeb(...verifyArgs('--live-state', path('state.json')))).code).toBe(0);
  });

  it('reads --revoked as a list of ids', async () => {
    writeFileSync(path('revoked.json'), '["cert-1"]');
    expect((await runSeb(...verifyArgs('--revoked', path('revoked.json')))).out).toContain('"reason":"revoked"');
    writeFileSync(path('revoked-bad.json'), '{"cert-1":true}');
    expect((await runSeb(...verifyArgs('--revoked', path('revoked-bad.json')))).code).toBe(2);
  });

  it("binds each --issuer to its own --keys: another trusted issuer's key cannot sign as sab", async () => {
    expect((await runSeb('sab', 'keygen', '--alg', 'EdDSA', '--kid', 'k-other', '--out', path('other'))).code).toBe(0);
    const forged = await runSeb('sab', 'issue', '--key', path('other/private.jwk.json'), '--issuer', 'sab', '--audience', 'seb', '--subject', 'agent', '--contract', path('contract.json'), '--now', '1800000000', '--pre-state', path('state.json'), '--jti', 'cert-forged');
    writeFileSync(path('forged.json'), JSON.stringify({ certificate: forged.out.trim(), contract: CONTRACT }));
    const both = ['--issuer', 'sab', '--keys', path('sab/jwks.json'), '--issuer', 'other', '--keys', path('other/jwks.json')];
    const base = ['verify', '--audience', 'seb', '--now', '1800000010', ...both];
    expect((await runSeb(...base, '--request', path('forged.json'))).out).toContain('"reason":"wrong_issuer"');
    expect((await runSeb(...base, '--request', path('req.json'))).code).toBe(0);
    const unpaired = await runSeb('verify', '--audience', 'seb', '--request', path('req.json'), '--issuer', 'sab', '--issuer', 'other', '--keys', path('sab/jwks.json'));
    expect(unpaired.code).toBe(2);
    expect(unpaired.err).toMatch(/give each trusted --issuer its --keys/);
  });

  it('caps --max-skew', async () => {
    const r = await runSeb(...verifyArgs('--max-skew', '301'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--max-skew: at most 300/);
  });

  it('denies a malformed request file as malformed, not as a usage error', async () => {
    writeFileSync(path('bad.json'), '{"certificate": "x", "certificate": "y"}');
    const r = await runSeb('verify', '--keys', path('sab/jwks.json'), '--issuer', 'sab', '--audience', 'seb', '--request', path('bad.json'));
    expect(r).toMatchObject({ code: 1, out: '{"decision":"deny","reason":"malformed","jti":null}\n' });
  });

  it.each([
    ['an unknown flag', ['--frobnicate']],
    ['a missing value', ['--now']],
    ['a non-integer', ['--max-skew', '1.5']],
  ])('exits 2 on %s, with one line on stderr', async (_, extra) => {
    const r = await runSeb(...verifyArgs(...extra));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 on an unreadable file, naming it', async () => {
    const r = await runSeb('verify', '--keys', path('nope.json'), '--issuer', 'sab', '--audience', 'seb', '--request', path('req.json'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('nope.json');
  });

  it('appends each decision to a signed record log with --log', async () => {
    const logArgs = ['--log', path('log.db'), '--broker-key', path('sab/private.jwk.json')];
    expect((await runSeb(...verifyArgs(...logArgs))).code).toBe(0);
    expect((await runSeb(...verifyArgs('--policy-epoch', '1', ...logArgs))).code).toBe(1);
    const audited = await runSeb('audit', 'verify', '--log', path('log.db'), '--keys', path('sab/jwks.json'));
    expect(audited.code).toBe(0);
    // The allow, its outcome (nothing executed), the deny.
    expect(JSON.parse(audited.out)).toMatchObject({ ok: true, size: 3 });
    expect((await runSeb(...verifyArgs('--log', path('log.db')))).code).toBe(2);
  });

  it('describes every flag in --help', async () => {
    const r = await runSeb('verify', '--help');
    for (const flag of ['keys', 'issuer', 'audience', 'request', 'now', 'policy-epoch', 'revocation-floor', 'revoked', 'ledger', 'live-state', 'max-lifetime', 'max-skew']) {
      expect(r.out).toContain(`--${flag}`);
    }
  });
});
