import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isAllowedAlg } from '../core/crypto-params.js';
import { IoError, UsageError } from '../core/errors.js';
import { KID } from '../core/keys.js';
import { generateSigningKey } from '../sab/keygen.js';
import { defineCommand } from './command.js';
import { writeFileAtomic } from '../files.js';

export const sabKeygen = defineCommand({
  words: ['sab', 'keygen'],
  summary: 'Make an issuer (or broker, or agent) signing key: DIR/private.jwk.json and DIR/jwks.json.',
  flags: {
    alg: { type: 'string', value: 'EdDSA|ES256', description: 'signature algorithm', default: 'EdDSA' },
    kid: { type: 'string', value: 'ID', description: `key id, used to pick the key when keys rotate; must match ${KID.source}`, required: true },
    out: { type: 'string', value: 'DIR', description: 'folder to write the key files into', required: true },
    force: { type: 'boolean', description: 'replace key files already in DIR (the old private key is lost)' },
  },
  async run(flags) {
    if (!isAllowedAlg(flags.alg)) throw new UsageError(`--alg must be EdDSA or ES256, got ${JSON.stringify(flags.alg)}`);
    // The verifier's own rule: a key it would refuse is never made.
    if (!KID.test(flags.kid)) throw new UsageError(`--kid must match ${KID.source}, got ${JSON.stringify(flags.kid.slice(0, 200))}`);
    const files = [join(flags.out, 'private.jwk.json'), join(flags.out, 'jwks.json')] as const;
    const present = files.find((f) => existsSync(f));
    if (present !== undefined && !flags.force) throw new IoError(`${present} already exists; pass --force to replace the key`);
    const { privateJwk, publicJwk } = await generateSigningKey(flags.alg, flags.kid);
    writeFileAtomic(files[0], `${JSON.stringify(privateJwk, null, 2)}\n`, 0o600);
    writeFileAtomic(files[1], `${JSON.stringify({ keys: [publicJwk] }, null, 2)}\n`);
    process.stdout.write(`${files[0]}\n${files[1]}\n`);
    return 0;
  },
});
