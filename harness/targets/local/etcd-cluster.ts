// An N-member etcd cluster on loopback for the brokers' shared state (replay
// ledger, revocation feed), apart from the etcd under kube-apiserver: a fault
// injected here must not take the platform down with it. Members come from
// etcd.ts (mutual TLS, launched then waited on), certificates from pki.ts.
// Each member keeps its ports and data dir across kill and restart, so a
// restarted member rejoins as itself, which is what the fault matrix needs.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { IoError } from '../../../broker/core/errors.js';
import { installBinaries } from './binaries.js';
import { etcdDataDir, launchEtcdMember, type EtcdMember, type EtcdMemberOptions, type EtcdTls } from './etcd.js';
import { createLocalPki, type KeyPair } from './pki.js';
import { startOnFreshPorts } from './ports.js';

export interface EtcdClusterOptions {
  /** Members, 3 by default: the smallest cluster that survives losing one. */
  readonly size?: number;
  /** See EtcdMemberOptions.unsafeNoFsync: never for measurements. */
  readonly unsafeNoFsync?: boolean;
}

/** What a broker needs to reach the cluster: file paths, as broker settings take them. */
export interface EtcdClientTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** One member, for fault injection. Every call is bracketed by the caller's own health checks. */
export interface ClusterMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly logFile: string;
  readonly running: boolean;
  /** SIGKILL, and wait for the exit: a crash, no graceful leave. */
  kill(): Promise<void>;
  /** SIGTERM (SIGKILL after a grace period), and wait for the exit: an orderly shutdown. */
  stop(): Promise<void>;
  /** SIGSTOP: the process hangs with its sockets open (a stall, not a crash). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Start it again on the same ports and data dir; resolves once it reports healthy. */
  restart(timeoutMs?: number): Promise<void>;
}

export interface EtcdCluster {
  readonly endpoints: readonly string[];
  readonly tls: EtcdClientTls;
  readonly members: readonly ClusterMember[];
  readonly logs: readonly string[];
  /** Milliseconds the PKI and the members took to start, for run metadata. */
  readonly startup: { readonly pki: number; readonly members: number };
  stop(): Promise<void>;
}

/** Starts the cluster under `workDir` (private to it) and waits until every member is healthy. */
export async function startEtcdCluster(workDir: string, options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  const size = options.size ?? 3;
  if (!Number.isSafeInteger(size) || size < 1) throw new IoError(`etcd cluster: size must be a positive integer, not ${size}`);
  const pkiDir = join(workDir, 'pki');
  mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  const t0 = performance.now();
  const [binaries, pki] = await Promise.all([installBinaries(['etcd']), createLocalPki(pkiDir)]);
  const binary = binaries.etcd;
  if (binary === undefined) throw new IoError('install.sh printed no path for etcd');
  const pkiMs = Math.round(performance.now() - t0);

  const tls: EtcdTls = { ca: pki.ca.cert, server: pki.etcd.server, client: pki.etcd.client };
  const t1 = performance.now();
  let members: ManagedMember[];
  try {
    members = await startOnFreshPorts(2 * size, async (ports) => {
      const peers = Array.from({ length: size }, (_, i) => ({ name: `state${i}`, peerUrl: `http://127.0.0.1:${ports[2 * i]}`, clientPort: ports[2 * i + 1] as number }));
      // A token of its own keeps this cluster's peers from ever talking to another cluster's.
      const clusterToken = `seb-state-${randomBytes(6).toString('hex')}`;
      const memberOptions = peers.map((member) => ({
        binary,
        workDir,
        member,
        initialCluster: peers.map(({ name, peerUrl }) => ({ name, peerUrl })),
        clusterToken,
        tls,
        ...(options.unsafeNoFsync === undefined ? {} : { unsafeNoFsync: options.unsafeNoFsync }),
      }));
      // Data dirs of a failed attempt name its peer URLs.
      for (const o of memberOptions) rmSync(etcdDataDir(o), { recursive: true, force: true });
      const started = memberOptions.map(memberHandle);
      try {
        await Promise.all(started.map((m) => m.ready()));
      } catch (error) {
        await Promise.all(started.map((m) => m.stop()));
        throw error;
      }
      return started;
    });
  } catch (error) {
    throw new IoError(`etcd cluster did not start: ${(error as Error).message}`, { cause: error });
  }
  const stop = async () => {
    await Promise.all(members.map((m) => m.stop()));
  };
  const broker: KeyPair = pki.users.broker;
  return {
    endpoints: members.map((m) => m.clientUrl),
    tls: { ca: pki.ca.cert, cert: broker.cert, key: broker.key },
    members,
    logs: members.map((m) => m.logFile),
    startup: { pki: pkiMs, members: Math.round(performance.now() - t1) },
    stop,
  };
}

interface ManagedMember extends ClusterMember {
  ready(timeoutMs?: number): Promise<void>;
}

function memberHandle(options: EtcdMemberOptions): ManagedMember {
  let current: EtcdMember = launchEtcdMember(options);
  return {
    name: current.name,
    clientUrl: current.clientUrl,
    logFile: current.logFile,
    get running() {
      return current.process.running;
    },
    ready: (timeoutMs) => current.ready(timeoutMs),
    async kill() {
      current.process.signal('SIGKILL');
      await current.process.whenExited();
    },
    pause: () => current.process.signal('SIGSTOP'),
    resume: () => current.process.signal('SIGCONT'),
    async restart(timeoutMs) {
      if (current.process.running) throw new IoError(`etcd ${current.name}: restart of a member that is still running`);
      // With its data dir in place, etcd ignores the initial-cluster flags and rejoins as the member it was.
      current = launchEtcdMember(options);
      await current.ready(timeoutMs);
    },
    stop: () => current.process.stop(),
  };
}
