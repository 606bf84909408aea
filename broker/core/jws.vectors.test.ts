// verifySignature against Project Wycheproof (C2SP/wycheproof, testvectors_v1):
// every test of ed25519_test.json and ecdsa_secp256r1_sha256_p1363_test.json,
// vendored whole under test-vectors/wycheproof (source and licence in its
// README). "valid" must verify, "invalid" must not; "acceptable" may go either
// way and is recorded (neither vendored file currently has one).
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Alg } from './crypto-params.js';
import { verifySignature } from './jws.js';
import { importBareJwk } from './keys.js';

interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  msg: string;
  sig: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface WycheproofGroup {
  publicKey: { pk?: string; uncompressed?: string };
  publicKeyDer: string;
  tests: WycheproofTest[];
}
interface WycheproofFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: WycheproofGroup[];
}

const load = (name: string): WycheproofFile =>
  JSON.parse(readFileSync(new URL(`./test-vectors/wycheproof/${name}`, import.meta.url), 'utf8')) as WycheproofFile;

const b64u = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');

/** The group's key through the broker's own JWK import, checked against the DER the file also gives. */
function groupKey(alg: Alg, group: WycheproofGroup): KeyObject {
  let jwk: Record<string, string>;
  if (alg === 'EdDSA') {
    const pk = group.publicKey.pk ?? '';
    expect(pk).toHaveLength(64);
    jwk = { kty: 'OKP', crv: 'Ed25519', x: b64u(pk) };
  } else {
    const point = group.publicKey.uncompressed ?? '';
    expect(point).toMatch(/^04[0-9a-f]{128}$/);
    jwk = { kty: 'EC', crv: 'P-256', x: b64u(point.slice(2, 66)), y: b64u(point.slice(66)) };
  }
  const key = importBareJwk(jwk, alg, 'wycheproof key');
  const der = createPublicKey({ key: Buffer.from(group.publicKeyDer, 'hex'), format: 'der', type: 'spki' });
  expect(key.equals(der)).toBe(true);
  return key;
}

const suites: ReadonlyArray<{ file: string; alg: Alg; algorithm: string }> = [
  { file: 'ed25519_test.json', alg: 'EdDSA', algorithm: 'EDDSA' },
  { file: 'ecdsa_secp256r1_sha256_p1363_test.json', alg: 'ES256', algorithm: 'ECDSA' },
];

for (const { file, alg, algorithm } of suites) {
  const data = load(file);
  const cases = data.testGroups.flatMap((group, g) => group.tests.map((test) => ({ g, group, test })));
  const keys = new Map<number, KeyObject>();
  const acceptable: Array<{ tcId: number; verified: boolean }> = [];

  describe(`Wycheproof ${file} (${alg})`, () => {
    it('is the whole file: numberOfTests matches the tests present, tcIds 1..n', () => {
      expect(data.algorithm).toBe(algorithm);
      expect(cases).toHaveLength(data.numberOfTests);
      expect(cases.map((c) => c.test.tcId)).toEqual(cases.map((_, i) => i + 1));
    });

    it.each(cases.map((c) => [c.test.tcId, c.test.comment || c.test.flags.join(','), c] as const))(
      'tcId %i (%s)',
      (_id, _label, { g, group, test }) => {
        let key = keys.get(g);
        if (key === undefined) {
          key = groupKey(alg, group);
          keys.set(g, key);
        }
        const verified = verifySignature(alg, key, Buffer.from(test.msg, 'hex'), Buffer.from(test.sig, 'hex'));
        const what = `tcId ${test.tcId} [${test.flags.join(',')}] ${test.comment}: expected ${test.result}`;
        if (test.result === 'acceptable') acceptable.push({ tcId: test.tcId, verified });
        else expect(verified, what).toBe(test.result === 'valid');
      },
    );

    it('records how "acceptable" vectors were treated', () => {
      // Either outcome is allowed; this pins what node:crypto does today so a change shows up.
      expect(acceptable).toEqual(
        cases.filter((c) => c.test.result === 'acceptable').map((c) => ({ tcId: c.test.tcId, verified: expect.any(Boolean) })),
      );
    });
  });
}
