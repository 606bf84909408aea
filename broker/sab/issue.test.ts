import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, NOW_S, SAMPLE_CONTRACT, SUBJECT, makeIssuer } from '../../harness/sample-certificates.js';
import { readCertificate } from '../core/certificate/certificate.js';
import { InvalidInputError } from '../core/errors.js';
import { importKeySet } from '../core/keys.js';
import { checkSignature } from '../core/predicates/signature.js';
import { buildClaims, CertificateIssuer, type CertificateOptions } from './issue.js';

const base: CertificateOptions = { issuer: ISSUER, audience: AUDIENCE, subject: SUBJECT, contract: SAMPLE_CONTRACT, nowS: NOW_S };

describe('CertificateIssuer', () => {
  it.each(['EdDSA', 'ES256'] as const)('signs every certificate it issues with its one %s key, each as buildClaims says', async (alg) => {
    const sab = await makeIssuer(alg);
    const keys = importKeySet(sab.jwks);
    const issuer = CertificateIssuer.fromJwk(sab.privateJwk);
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9._:-]{1,20}$/), fc.integer({ min: 0, max: 2 ** 32 }), fc.integer({ min: 1, max: 3600 }), async (jti, nowS, ttlS) => {
        const o = { ...base, jti, nowS, ttlS };
        const cert = readCertificate(await issuer.issue(o));
        expect(cert).toMatchObject({ alg, kid: `${alg.toLowerCase()}-1`, claims: buildClaims(o) });
        expect(checkSignature(cert, keys)).toBeNull();
      }),
      { numRuns: 30 },
    );
  });

  it('refuses a key the broker would refuse, before signing anything', async () => {
    const { privateJwk } = await makeIssuer();
    expect(() => CertificateIssuer.fromJwk({ ...privateJwk, x5c: ['MIIB'] })).toThrow(InvalidInputError);
    const { d: _d, ...publicOnly } = privateJwk;
    expect(() => CertificateIssuer.fromJwk(publicOnly)).toThrow(/no private part/);
  });
});
