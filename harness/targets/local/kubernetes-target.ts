// The local Kubernetes target: PKI, etcd, kube-apiserver, bootstrap, all on
// 127.0.0.1 under one work dir. Whatever fails part-way stops what was
// started and says where the logs are; stop() ends every process, in reverse.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_EXECUTOR_AUDIENCE, DEFAULT_EXECUTOR_NAMESPACE } from '../../../broker/platforms/kubernetes/adapter.js';
import { KubeClient } from '../../../broker/platforms/kubernetes/client.js';
import { loadKubeconfig } from '../../../broker/platforms/kubernetes/kubeconfig.js';
import { IoError } from '../../../broker/core/errors.js';
import { writeFileAtomic } from '../../../broker/files.js';
import { stringify } from 'yaml';
import { auditPolicy } from './audit-policy.js';
import type { KubernetesTarget } from '../../../broker/platforms/target-info.js';
import { installBinaries } from './binaries.js';
import { startSingleEtcd } from './etcd.js';
import { startKubeApiserver } from './kube-apiserver.js';
import { bootstrapKubernetes, writeKubeconfigs } from './kubernetes-bootstrap.js';
import { createLocalPki, USERS } from './pki.js';
import { freePort } from './ports.js';
import type { ManagedProcess } from './process.js';

export interface LocalKubernetesOptions {
  readonly protectedNamespaces?: readonly string[];
  readonly executorNamespace?: string;
  readonly audience?: string;
  /** See EtcdMemberOptions.unsafeNoFsync: never for measurements. */
  readonly unsafeNoFsync?: boolean;
  /** false: a bare cluster (no SEB namespaces, RBAC or policy), to be bootstrapped as someone else's would be. */
  readonly bootstrap?: boolean;
}

export interface LocalKubernetes {
  readonly info: KubernetesTarget;
  /** kube-apiserver's audit log (JSON lines; audit-policy.ts says what it records). */
  readonly auditLog: string;
  /** etcd's client URL (mutual TLS with the target's CA). */
  readonly etcdUrl: string;
  readonly processes: { readonly etcd: ManagedProcess; readonly apiserver: ManagedProcess };
  readonly logs: readonly string[];
  /** Milliseconds each start-up step took, for run metadata. */
  readonly startup: { readonly install: number; readonly pki: number; readonly etcd: number; readonly apiserver: number; readonly bootstrap: number };
  stop(): Promise<void>;
}

export const DEFAULT_PROTECTED_NAMESPACES: readonly string[] = ['seb-prod'];

/** Starts everything under `workDir` (which should be private to this target). */
export async function startLocalKubernetes(workDir: string, options: LocalKubernetesOptions = {}): Promise<LocalKubernetes> {
  const protectedNamespaces = options.protectedNamespaces ?? DEFAULT_PROTECTED_NAMESPACES;
  const executorNamespace = options.executorNamespace ?? DEFAULT_EXECUTOR_NAMESPACE;
  const audience = options.audience ?? DEFAULT_EXECUTOR_AUDIENCE;
  const pkiDir = join(workDir, 'pki');
  mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  const auditLog = join(workDir, 'audit.log');
  const auditPolicyFile = join(workDir, 'audit-policy.yaml');
  writeFileAtomic(auditPolicyFile, stringify(auditPolicy({ protectedNamespaces, executorNamespace })));
  const logs = [join(workDir, 'etcd0.log'), join(workDir, 'kube-apiserver.log'), auditLog];
  const started: ManagedProcess[] = [];
  const stop = async () => {
    for (const p of [...started].reverse()) await p.stop();
  };

  const since = (t: number) => Math.round(performance.now() - t);
  try {
    let t = performance.now();
    const [[binaries, install], [pki, pkiMs]] = await Promise.all([
      installBinaries(['etcd', 'kube-apiserver']).then((b) => [b, since(t)] as const),
      createLocalPki(pkiDir).then((p) => [p, since(t)] as const),
    ]);
    t = performance.now();
    const etcd = await startSingleEtcd({
      binary: required(binaries, 'etcd'),
      workDir,
      tls: { ca: pki.ca.cert, server: pki.etcd.server, client: pki.etcd.client },
      ...(options.unsafeNoFsync === undefined ? {} : { unsafeNoFsync: options.unsafeNoFsync }),
    });
    started.push(etcd.process);
    const etcdMs = since(t);
    t = performance.now();
    const apiserver = await startKubeApiserver({
      binary: required(binaries, 'kube-apiserver'),
      workDir,
      etcdServers: [etcd.clientUrl],
      pki,
      extraAudiences: [audience],
      audit: { policyFile: auditPolicyFile, logFile: auditLog },
    });
    started.push(apiserver.process);
    const apiserverMs = since(t);
    t = performance.now();

    const kubeconfigs = writeKubeconfigs(workDir, apiserver.server, pki);
    const connection = loadKubeconfig(kubeconfigs.admin);
    const admin = KubeClient.connect(connection, connection.credential);
    try {
      if (options.bootstrap !== false) await bootstrapKubernetes(admin, { protectedNamespaces, executorNamespace, identities: { agent: USERS.agent.user, broker: USERS.broker.user } });
    } finally {
      admin.close();
    }
    const startup = { install, pki: pkiMs, etcd: etcdMs, apiserver: apiserverMs, bootstrap: since(t) };
    return {
      info: { server: apiserver.server, kubeconfigs, protectedNamespaces, executorNamespace, executorAudience: audience },
      auditLog,
      etcdUrl: etcd.clientUrl,
      processes: { etcd: etcd.process, apiserver: apiserver.process },
      logs,
      startup,
      stop,
    };
  } catch (error) {
    await stop();
    throw new IoError(`local Kubernetes did not start: ${(error as Error).message}; logs: ${logs.join(', ')}`, { cause: error });
  }
}

function required(paths: Record<string, string>, name: string): string {
  const path = paths[name];
  if (path === undefined) throw new IoError(`install.sh printed no path for ${name}`);
  return path;
}
