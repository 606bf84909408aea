// What `seb target up local` leaves in its folder besides target.json, so
// that a person can issue, execute and audit against the local target at
// once: SAB keys, a broker key, and a broker configuration that uses them.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeFileAtomic } from '../../../broker/files.js';
import type { ExecutorMode } from '../../../broker/platforms/kubernetes/executor.js';
import { generateSigningKey } from '../../../broker/sab/keygen.js';

export const LOCAL_ISSUER = 'sab.local';
export const LOCAL_AUDIENCE = 'seb.local';

export interface Workspace {
  readonly targetFile: string;
  readonly brokerConfig: string;
  readonly sabKey: string;
  readonly sabJwks: string;
  /** The broker's record log, as broker.yaml names it. */
  readonly recordLog: string;
}

/** The broker's Kubernetes executor mode unless the caller says otherwise (README: "Kubernetes executor modes"). */
export const DEFAULT_KUBERNETES_MODE: ExecutorMode = 'impersonation';

export async function writeWorkspace(dir: string, targetJson: string, options: { kubernetesMode?: ExecutorMode } = {}): Promise<Workspace> {
  const sab = await generateSigningKey('EdDSA', 'sab-local-1');
  const broker = await generateSigningKey('EdDSA', 'broker-local-1');
  const files = {
    targetFile: join(dir, 'target.json'),
    brokerConfig: join(dir, 'broker.yaml'),
    sabKey: join(dir, 'sab', 'private.jwk.json'),
    sabJwks: join(dir, 'sab', 'jwks.json'),
    recordLog: join(dir, 'state', 'records.db'),
  };
  writeFileAtomic(files.sabKey, `${JSON.stringify(sab.privateJwk, null, 2)}\n`, 0o600);
  writeFileAtomic(files.sabJwks, `${JSON.stringify({ keys: [sab.publicJwk] }, null, 2)}\n`);
  writeFileAtomic(join(dir, 'broker', 'private.jwk.json'), `${JSON.stringify(broker.privateJwk, null, 2)}\n`, 0o600);
  // The broker's public key, for `seb audit verify --keys`.
  writeFileAtomic(join(dir, 'broker', 'jwks.json'), `${JSON.stringify({ keys: [broker.publicJwk] }, null, 2)}\n`);
  const config = {
    id: 'seb-local-1',
    issuers: [LOCAL_ISSUER],
    audience: LOCAL_AUDIENCE,
    trustedKeys: 'sab/jwks.json',
    brokerKey: 'broker/private.jwk.json',
    // The replay ledger in the record log's database: one broker spends these uses, and a consume is made durable with the decision that follows it.
    ledger: 'state/records.db',
    recordLog: 'state/records.db',
    target: 'target.json',
    kubernetes: { mode: options.kubernetesMode ?? DEFAULT_KUBERNETES_MODE },
    listen: { host: '127.0.0.1', port: 8080 },
  };
  mkdirSync(join(dir, 'state'), { recursive: true });
  writeFileAtomic(files.brokerConfig, stringify(config));
  writeFileAtomic(files.targetFile, targetJson);
  return files;
}
