// A throwaway PKI for the local target, made with the openssl CLI in a
// private temp dir: a CA, serving certificates for the API server and etcd,
// client certificates (CN = user, O = groups), and the ServiceAccount token
// signing key pair. P-256 everywhere: fast to make, accepted by Go and Node.
// Nothing here is meant to outlive the target.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { IoError } from '../../../broker/core/errors.js';

const run = promisify(execFile);

export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

export interface ClientIdentity extends KeyPair {
  readonly user: string;
  readonly groups: readonly string[];
}

export interface LocalPki {
  readonly dir: string;
  readonly ca: KeyPair;
  /** kube-apiserver's serving certificate (127.0.0.1, localhost). */
  readonly apiserver: KeyPair;
  /** etcd's serving certificate, and the client certificate the API server presents to it. */
  readonly etcd: { readonly server: KeyPair; readonly client: KeyPair };
  readonly users: { readonly admin: ClientIdentity; readonly agent: ClientIdentity; readonly broker: ClientIdentity };
  /** ServiceAccount token signing key (private) and verification key (public), PEM files. */
  readonly serviceAccount: { readonly privateKey: string; readonly publicKey: string };
}

export const USERS = {
  /** Setup and out-of-band changes; seb:break-glass passes the admission policy, system:masters passes RBAC. */
  admin: { user: 'seb-admin', groups: ['system:masters', 'seb:break-glass'] },
  agent: { user: 'seb-agent', groups: [] },
  broker: { user: 'seb-broker', groups: [] },
} as const;

const LOOPBACK_SANS = 'subjectAltName=IP:127.0.0.1,DNS:localhost';
const DAYS = '7';

export async function createLocalPki(dir: string): Promise<LocalPki> {
  // Without a config of its own, `openssl req` would add the system's v3_ca extensions to every certificate.
  const config = join(dir, 'openssl.cnf');
  writeFileSync(config, '[req]\ndistinguished_name = dn\n[dn]\n');
  const ca = { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
  await openssl(config, ca, '/CN=seb-local-ca', ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign']);

  const issue = async (name: string, subject: string, extensions: readonly string[]): Promise<KeyPair> => {
    const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
    await openssl(config, pair, subject, ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', ...extensions], ca);
    return pair;
  };
  const server = (name: string, cn: string) => issue(name, `/CN=${cn}`, ['extendedKeyUsage=serverAuth', LOOPBACK_SANS]);
  const client = async (name: string, who: { user: string; groups: readonly string[] }): Promise<ClientIdentity> => {
    const subject = `${who.groups.map((g) => `/O=${g}`).join('')}/CN=${who.user}`;
    return { ...(await issue(name, subject, ['extendedKeyUsage=clientAuth'])), user: who.user, groups: who.groups };
  };

  const [apiserver, etcdServer, etcdClient, admin, agent, broker] = await Promise.all([
    server('apiserver', 'kube-apiserver'),
    server('etcd-server', 'etcd'),
    issue('etcd-client', '/CN=kube-apiserver-etcd-client', ['extendedKeyUsage=clientAuth']),
    client('admin', USERS.admin),
    client('agent', USERS.agent),
    client('broker', USERS.broker),
  ]);

  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const serviceAccount = { privateKey: join(dir, 'sa.key'), publicKey: join(dir, 'sa.pub') };
  writeFileSync(serviceAccount.privateKey, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(serviceAccount.publicKey, pair.publicKey.export({ type: 'spki', format: 'pem' }));

  return { dir, ca, apiserver, etcd: { server: etcdServer, client: etcdClient }, users: { admin, agent, broker }, serviceAccount };
}

/** One key and certificate: self-signed when no issuer is given. */
async function openssl(config: string, out: KeyPair, subject: string, extensions: readonly string[], issuer?: KeyPair): Promise<void> {
  const args = ['req', '-config', config, '-x509', '-newkey', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-noenc'];
  args.push('-keyout', out.key, '-out', out.cert, '-subj', subject, '-days', DAYS);
  if (issuer !== undefined) args.push('-CA', issuer.cert, '-CAkey', issuer.key);
  for (const e of extensions) args.push('-addext', e);
  try {
    await run('openssl', args);
  } catch (error) {
    throw new IoError(`openssl could not make ${out.cert}: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`, { cause: error });
  }
}
