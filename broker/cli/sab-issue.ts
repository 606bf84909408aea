import { readContract } from '../core/certificate/contract.js';
import { InvalidInputError } from '../core/errors.js';
import { isJsonObject } from '../core/strict-json.js';
import { issueCertificate } from '../sab/issue.js';
import { defineCommand, intFlag } from './command.js';
import { readJsonFile } from '../files.js';

export const sabIssue = defineCommand({
  words: ['sab', 'issue'],
  summary: 'Issue a certificate for one contract and print it as a compact JWS.',
  flags: {
    key: { type: 'string', value: 'FILE', description: 'issuer private JWK (from seb sab keygen)', required: true },
    issuer: { type: 'string', value: 'ISS', description: 'iss claim', required: true },
    audience: { type: 'string', value: 'AUD', description: 'aud claim: the broker the certificate is for', required: true },
    subject: { type: 'string', value: 'SUB', description: 'sub claim: the agent', required: true },
    contract: { type: 'string', value: 'FILE', description: 'the execution contract, JSON', required: true },
    ttl: { type: 'string', value: 'SECONDS', description: 'lifetime: exp - iat', default: '300' },
    now: { type: 'string', value: 'UNIX_SECONDS', description: 'issue time (iat, nbf); default the current time' },
    'policy-epoch': { type: 'string', value: 'N', description: 'pep claim', default: '0' },
    'revocation-epoch': { type: 'string', value: 'N', description: 'rep claim', default: '0' },
    uses: { type: 'string', value: 'N', description: 'how many executions it allows', default: '1' },
    'pre-state': { type: 'string', value: 'FILE', description: 'expected live state, JSON; its digest becomes pre.digest' },
    'pre-version': { type: 'string', value: 'VERSION', description: 'expected version (resourceVersion, ETag), recorded in pre.version', requires: 'pre-state' },
    jti: { type: 'string', value: 'ID', description: 'certificate id; default random' },
    cnf: { type: 'string', value: 'JKT', description: "agent key thumbprint: the request must then carry a proof signed by that key" },
  },
  async run(flags) {
    const privateJwk = readJsonFile(flags.key, 'issuer key');
    if (!isJsonObject(privateJwk)) throw new InvalidInputError(`issuer key ${flags.key}: not a JSON object`);
    const token = await issueCertificate({
      privateJwk,
      issuer: flags.issuer,
      audience: flags.audience,
      subject: flags.subject,
      contract: readContract(readJsonFile(flags.contract, 'contract'), `contract ${flags.contract}`),
      nowS: intFlag('now', flags.now, { min: 0 }) ?? Math.floor(Date.now() / 1000),
      ttlS: intFlag('ttl', flags.ttl, { min: 1 }),
      policyEpoch: intFlag('policy-epoch', flags['policy-epoch'], { min: 0 }),
      revocationEpoch: intFlag('revocation-epoch', flags['revocation-epoch'], { min: 0 }),
      uses: intFlag('uses', flags.uses, { min: 1 }),
      ...(flags['pre-state'] === undefined ? {} : { preState: readJsonFile(flags['pre-state'], 'pre-state') }),
      ...(flags['pre-version'] === undefined ? {} : { preVersion: flags['pre-version'] }),
      ...(flags.jti === undefined ? {} : { jti: flags.jti }),
      ...(flags.cnf === undefined ? {} : { confirmationJkt: flags.cnf }),
    });
    process.stdout.write(`${token}\n`);
    return 0;
  },
});
