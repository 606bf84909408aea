// The microbenchmarks of the broker's local path (issue 2). Each task sets up
// its inputs once and returns the function to time. The rows `signature_verify`
// and `predicate_path` are the floor and the whole offline path, on the same
// key and certificate, so their ratio is the cost of everything but the
// signature.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCertificate } from '../../broker/core/certificate/certificate.js';
import type { Alg } from '../../broker/core/crypto-params.js';
import { jcsDigest } from '../../broker/core/digest.js';
import { verifySignature } from '../../broker/core/jws.js';
import { verifyRequest } from '../../broker/core/predicates/verify.js';
import type { JsonObject } from '../../broker/core/strict-json.js';
import { importPrivateJwk } from '../../broker/core/keys.js';
import { generateSigningKey } from '../../broker/sab/keygen.js';
import { SqliteLedger } from '../../broker/stores/sqlite/ledger.js';
import { SqliteRecordLog } from '../../broker/stores/sqlite/record-log.js';
import { freshState, issueFor, makeIssuer, NOW_S, requestBytes } from '../sample-certificates.js';

export interface MicroTask {
  readonly name: string;
  /** Prepare inputs; the returned function is what gets timed. */
  setup(context: { sharedDir: string; thread: number }): Promise<() => unknown>;
}

const NOW_MS = NOW_S * 1000 + 1000;

function signatureVerify(alg: Alg): MicroTask['setup'] {
  return async () => {
    const issuer = await makeIssuer(alg);
    const cert = readCertificate(await issueFor(issuer));
    const key = issuer.policy.trust.keys.get(cert.kid);
    if (key === undefined) throw new Error('fixture key missing');
    return () => {
      if (!verifySignature(key.alg, key.key, cert.signingInput, cert.signature)) throw new Error('signature should verify');
    };
  };
}

function predicatePath(alg: Alg): MicroTask['setup'] {
  return async () => {
    const issuer = await makeIssuer(alg);
    const bytes = requestBytes(await issueFor(issuer));
    const state = freshState(NOW_MS);
    return () => {
      if (!verifyRequest(bytes, issuer.policy, state, NOW_MS).ok) throw new Error('request should be allowed');
    };
  };
}

/** A contract-like document of about `bytes` bytes of JSON. */
export function documentOfSize(bytes: number): JsonObject {
  const entries: JsonObject = {};
  let i = 0;
  while (JSON.stringify(entries).length < bytes) {
    entries[`key-${i.toString(36)}`] = { value: `v${i * 7919}`, n: i * 1.5, on: i % 2 === 0 };
    i++;
  }
  return { platform: 'kubernetes', target: { name: 'web' }, operation: 'patch', parameters: entries };
}

function jcsOfSize(bytes: number): MicroTask['setup'] {
  return async () => {
    const doc = documentOfSize(bytes);
    return () => jcsDigest(doc);
  };
}

export const MICRO_TASKS: readonly MicroTask[] = [
  { name: 'signature_verify', setup: signatureVerify('EdDSA') },
  { name: 'predicate_path', setup: predicatePath('EdDSA') },
  { name: 'signature_verify_es256', setup: signatureVerify('ES256') },
  { name: 'predicate_path_es256', setup: predicatePath('ES256') },
  { name: 'jcs_digest_1k', setup: jcsOfSize(1024) },
  { name: 'jcs_digest_64k', setup: jcsOfSize(64 * 1024) },
  {
    // One ledger file shared by every thread, as brokers on one host would share it.
    name: 'ledger_consume',
    setup: async ({ sharedDir, thread }) => {
      const ledger = new SqliteLedger(join(sharedDir, 'ledger.db'));
      let n = 0;
      const retainUntilMs = NOW_MS + 3_600_000;
      return () => ledger.consume({ issuer: 'sab.test', jti: `t${thread}-${n++}`, uses: 1, retainUntilMs });
    },
  },
  {
    // One log per thread: a log has one writer. FULL sync, as the broker runs it.
    name: 'record_append',
    setup: async ({ sharedDir, thread }) => {
      const key = importPrivateJwk((await generateSigningKey('EdDSA', `broker-${thread}`)).privateJwk);
      // A fresh file per setup: each thread-count run makes new keys, and a log keeps its kid's key for good.
      const log = SqliteRecordLog.open(join(sharedDir, `log-${thread}-${randomUUID()}.db`), { broker: `broker-${thread}`, key });
      let n = 0;
      return () =>
        log.appendDecision({ decision: 'allow', reason: null, jti: `j${n++}`, iss: 'sab.test', sub: 'agent-1', cdg: 'A'.repeat(43) });
    },
  },
];

export function newSharedDir(): string {
  return mkdtempSync(join(tmpdir(), 'seb-microbench-'));
}
