// kube-apiserver on 127.0.0.1 against the local etcd. The flag set is
// envtest's minimum plus what the broker's guarantees rest on:
// - RBAC is the only authorizer, no anonymous requests, no profiling;
// - users are client certificates from the target's CA;
// - ServiceAccount tokens are signed with the target's key, and the executor
//   audience is among --api-audiences, so an executor token is accepted here
//   and a token minted for another audience is not;
// - the ServiceAccount admission plugin is off: with no controller manager
//   there are no default ServiceAccounts for it to insist on;
// - with `audit`, an audit log of JSON lines under the policy of
//   audit-policy.ts, in one file that is never rotated (the validator reads it
//   whole after the run).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalPki } from './pki.js';
import { startOnFreshPorts } from './ports.js';
import { ManagedProcess, type ProcessSpec } from './process.js';
import { waitFor } from './wait.js';

export interface KubeApiserverOptions {
  readonly binary: string;
  /** The log goes here. */
  readonly workDir: string;
  readonly port: number;
  readonly etcdServers: readonly string[];
  readonly pki: LocalPki;
  /** Audiences accepted for ServiceAccount tokens besides the issuer's own. */
  readonly extraAudiences: readonly string[];
  /** The audit policy file and the log it writes. */
  readonly audit?: { readonly policyFile: string; readonly logFile: string };
  readonly readyTimeoutMs?: number;
}

export interface KubeApiserver {
  readonly server: string;
  readonly process: ManagedProcess;
  readonly logFile: string;
}

export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc';

export function kubeApiserverArgs(o: KubeApiserverOptions): string[] {
  const { pki } = o;
  return [
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${o.port}`,
    `--tls-cert-file=${pki.apiserver.cert}`,
    `--tls-private-key-file=${pki.apiserver.key}`,
    `--etcd-servers=${o.etcdServers.join(',')}`,
    `--etcd-cafile=${pki.ca.cert}`,
    `--etcd-certfile=${pki.etcd.client.cert}`,
    `--etcd-keyfile=${pki.etcd.client.key}`,
    `--client-ca-file=${pki.ca.cert}`,
    '--anonymous-auth=false',
    '--authorization-mode=RBAC',
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${pki.serviceAccount.publicKey}`,
    `--service-account-signing-key-file=${pki.serviceAccount.privateKey}`,
    `--api-audiences=${[SERVICE_ACCOUNT_ISSUER, ...o.extraAudiences].join(',')}`,
    '--disable-admission-plugins=ServiceAccount',
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allow-privileged=false',
    '--profiling=false',
    ...(o.audit === undefined
      ? []
      : [`--audit-policy-file=${o.audit.policyFile}`, `--audit-log-path=${o.audit.logFile}`, '--audit-log-format=json', '--audit-log-mode=blocking', '--audit-log-maxsize=0']),
  ];
}

/** Starts it on a fresh port, and on another if it dies at start (a port lost to a race). */
export function startKubeApiserver(o: Omit<KubeApiserverOptions, 'port'>): Promise<KubeApiserver> {
  return startOnFreshPorts(1, async ([port]) => {
    const proc = await ManagedProcess.start(kubeApiserverSpec({ ...o, port: port as number }));
    return { server: `https://127.0.0.1:${port}`, process: proc, logFile: proc.logFile };
  });
}

/** Everything it takes to start it, again after a crash too (faults/process.ts). */
export function kubeApiserverSpec(o: KubeApiserverOptions): ProcessSpec {
  const { pki } = o;
  return {
    name: 'kube-apiserver',
    command: o.binary,
    args: kubeApiserverArgs(o),
    logFile: join(o.workDir, 'kube-apiserver.log'),
    // /readyz covers etcd and the post-start hooks, RBAC's bootstrap roles among them.
    wait: waitFor.mtls(`https://127.0.0.1:${o.port}/readyz`, { ca: pki.ca.cert, ...pki.users.admin }, (r) => r.status === 200),
    readyTimeoutMs: o.readyTimeoutMs ?? 60_000,
  };
}
