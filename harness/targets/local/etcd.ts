// etcd members on loopback. Clients must present a certificate from the
// target's CA: an open etcd port would let any local process write the API
// server's storage directly, past RBAC and admission, which is the bypass the
// broker exists to prevent. Peer traffic is plain HTTP on 127.0.0.1.
//
// A member is launched without waiting, and waited on separately, because a
// member of a larger cluster turns healthy only once a quorum is up:
// launching three and then waiting on each is how a cluster starts.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyPair } from './pki.js';
import { startOnFreshPorts } from './ports.js';
import { ManagedProcess } from './process.js';
import { waitFor } from './wait.js';

export interface EtcdPeer {
  readonly name: string;
  readonly peerUrl: string;
}

export interface EtcdTls {
  readonly ca: string;
  readonly server: KeyPair;
  /** What the readiness probe presents. */
  readonly client: KeyPair;
}

export interface EtcdMemberOptions {
  readonly binary: string;
  /** The member's data dir and log go under it. */
  readonly workDir: string;
  readonly member: EtcdPeer & { readonly clientPort: number };
  /** Every member of the initial cluster, this one included. */
  readonly initialCluster: readonly EtcdPeer[];
  readonly clusterToken: string;
  readonly tls: EtcdTls;
  /**
   * Skip fsync of the WAL and backend (default off). Only for functional tests
   * on slow disks: it trades durability for speed, so no latency or fault
   * measurement may run with it.
   */
  readonly unsafeNoFsync?: boolean;
}

export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly process: ManagedProcess;
  readonly logFile: string;
  /** Resolves once /health answers true (for a cluster member: once there is a leader). */
  ready(timeoutMs?: number): Promise<void>;
}

/** The member's data dir: kept across a restart, so that it rejoins as itself. */
export function etcdDataDir(o: Pick<EtcdMemberOptions, 'workDir' | 'member'>): string {
  return join(o.workDir, `${o.member.name}.etcd`);
}

export function launchEtcdMember(o: EtcdMemberOptions): EtcdMember {
  const clientUrl = `https://127.0.0.1:${o.member.clientPort}`;
  const dataDir = etcdDataDir(o);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const logFile = join(o.workDir, `${o.member.name}.log`);
  const args = [
    `--name=${o.member.name}`,
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${o.member.peerUrl}`,
    `--initial-advertise-peer-urls=${o.member.peerUrl}`,
    `--initial-cluster=${o.initialCluster.map((p) => `${p.name}=${p.peerUrl}`).join(',')}`,
    '--initial-cluster-state=new',
    `--initial-cluster-token=${o.clusterToken}`,
    `--cert-file=${o.tls.server.cert}`,
    `--key-file=${o.tls.server.key}`,
    `--trusted-ca-file=${o.tls.ca}`,
    '--client-cert-auth',
    ...(o.unsafeNoFsync === true ? ['--unsafe-no-fsync'] : []),
  ];
  const wait = waitFor.mtls(`${clientUrl}/health`, { ca: o.tls.ca, ...o.tls.client }, (r) => {
    // etcd labels this JSON body text/plain.
    return r.status === 200 && typeof r.body === 'string' && (JSON.parse(r.body) as { health?: unknown }).health === 'true';
  });
  const proc = ManagedProcess.launch({ name: `etcd ${o.member.name}`, command: o.binary, args, logFile, wait, readyTimeoutMs: 30_000 });
  return { name: o.member.name, clientUrl, process: proc, logFile, ready: (timeoutMs) => proc.ready(timeoutMs) };
}

/** A one-member cluster on free loopback ports, ready; on fresh ports again if it dies at start. */
export function startSingleEtcd(o: Omit<EtcdMemberOptions, 'member' | 'initialCluster' | 'clusterToken'>): Promise<EtcdMember> {
  return startOnFreshPorts(2, async ([clientPort, peerPort]) => {
    const peer = { name: 'etcd0', peerUrl: `http://127.0.0.1:${peerPort}` };
    const options = { ...o, member: { ...peer, clientPort: clientPort as number }, initialCluster: [peer], clusterToken: 'seb-local' };
    // A data dir from a failed attempt names the old peer URL.
    rmSync(etcdDataDir(options), { recursive: true, force: true });
    const member = launchEtcdMember(options);
    await member.ready();
    return member;
  });
}
