import { join } from 'node:path';
import { isAllowedAlg } from '../core/crypto-params.js';
import { UsageError } from '../core/errors.js';
import { generateSigningKey } from '../sab/keygen.js';
import { defineCommand } from './command.js';
import { writeFileAtomic } from '../files.js';

export const sabKeygen = defineCommand({
  words: ['sab', 'keygen'],
  summary: 'Make an issuer (or broker, or agent) signing key: DIR/private.jwk.json and DIR/jwks.json.',
  flags: {
    alg: { type: 'string', value: 'EdDSA|ES256', description: 'signature algorithm', default: 'EdDSA' },
    kid: { type: 'string', value: 'ID', description: 'key id, used to pick the key when keys rotate', required: true },
    out: { type: 'string', value: 'DIR', description: 'folder to write the key files into', required: true },
  },
  async run(flags) {
    if (!isAllowedAlg(flags.alg)) throw new UsageError(`--alg must be EdDSA or ES256, got ${JSON.stringify(flags.alg)}`);
    const { privateJwk, publicJwk } = await generateSigningKey(flags.alg, flags.kid);
    writeFileAtomic(join(flags.out, 'private.jwk.json'), `${JSON.stringify(privateJwk, null, 2)}\n`, 0o600);
    writeFileAtomic(join(flags.out, 'jwks.json'), `${JSON.stringify({ keys: [publicJwk] }, null, 2)}\n`);
    process.stdout.write(`${join(flags.out, 'private.jwk.json')}\n${join(flags.out, 'jwks.json')}\n`);
    return 0;
  },
});
