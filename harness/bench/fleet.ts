// Many brokers on one etcd cluster, for the revocation and fault benches: the
// local Kubernetes target, a 3-member etcd cluster for broker state, a
// Toxiproxy in front of kube-apiserver and each etcd member, and N `seb serve`
// processes (each with its own key and record log) whose target.json and etcd
// endpoints point at the proxies. The SAB (issuer, revocation publisher) and
// the admin client go direct, so a fault reaches the brokers only.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { parse as parseYaml, stringify } from 'yaml';
import { ConfigError } from '../../broker/core/errors.js';
import { isJsonObject, type JsonObject } from '../../broker/core/strict-json.js';
import { readJsonFile, writeFileAtomic } from '../../broker/files.js';
import { generateSigningKey } from '../../broker/sab/keygen.js';
import { RevocationPublisher } from '../../broker/sab/revocations.js';
import { connectEtcd, openConnections } from '../../broker/stores/etcd/client.js';
import { startToxiproxy, type ToxiproxyServer } from '../../faults/network.js';
import { startEtcdCluster, type EtcdCluster } from '../targets/local/etcd-cluster.js';
import { startLocalTarget, type LocalTarget } from '../targets/local/local-target.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, writeWorkspace } from '../targets/local/workspace.js';
import type { TargetInfo } from '../../broker/platforms/target-info.js';
import { startBrokerProcess, type BrokerProcess } from './broker-process.js';

export interface FleetOptions {
  readonly workDir: string;
  readonly brokers: number;
  /** revocation.maxAgeMs of every broker: the staleness bound. */
  readonly maxAgeMs: number;
  readonly log: (line: string) => void;
}

/** One `seb serve` of the fleet; restart() keeps its config, key and record log (a crash and a restart). */
export interface FleetBroker {
  readonly id: string;
  readonly config: string;
  readonly recordLog: string;
  readonly logFile: string;
  readonly url: string;
  readonly pid: number;
  /** How long each restart took to listen (ms): reconciliation included. */
  readonly restarts: readonly number[];
  /** Start again (after kill or stop); `env` adds variables for this process only. */
  restart(env?: Readonly<Record<string, string>>): Promise<void>;
  /** SIGKILL: a crash, whatever it was doing. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface Fleet {
  readonly target: LocalTarget;
  readonly info: TargetInfo;
  readonly etcd: EtcdCluster;
  readonly toxiproxy: ToxiproxyServer;
  readonly brokers: readonly FleetBroker[];
  readonly publisher: RevocationPublisher;
  readonly sab: { readonly privateJwk: JsonObject; readonly issuer: string; readonly audience: string };
  readonly maxAgeMs: number;
  /** Every log a failed run should keep: target, etcd, toxiproxy, brokers. */
  readonly logs: readonly string[];
  stop(): Promise<void>;
}

export async function startFleet(o: FleetOptions): Promise<Fleet> {
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((e: unknown) => o.log(`stopping: ${(e as Error).message}`));
  };
  try {
    o.log('starting kube-apiserver, a 3-member etcd cluster for broker state, and toxiproxy …');
    const target = await startLocalTarget(join(o.workDir, 'target'), { platforms: ['kubernetes'] });
    stops.push(() => target.stop());
    const etcd = await startEtcdCluster(join(o.workDir, 'state-etcd'));
    stops.push(() => etcd.stop());
    const toxiproxy = await startToxiproxy(join(o.workDir, 'toxiproxy.log'));
    stops.push(() => toxiproxy.stop());

    const kube = target.info.kubernetes;
    if (kube === undefined) throw new ConfigError('fleet', 'the local target started without Kubernetes');
    const kubeProxy = await toxiproxy.proxy('kube-apiserver', new URL(kube.server).host);
    const etcdProxies = await Promise.all(etcd.endpoints.map((e, i) => toxiproxy.proxy(`etcd-${i}`, new URL(e).host)));

    const ws = join(o.workDir, 'workspace');
    const workspace = await writeWorkspace(ws, `${JSON.stringify(target.info, null, 2)}\n`);
    const brokerKubeconfig = join(ws, 'broker-proxied.kubeconfig');
    writeFileAtomic(brokerKubeconfig, proxiedKubeconfig(kube.kubeconfigs.broker, `https://${kubeProxy}`));
    const proxiedTarget = join(ws, 'target-proxied.json');
    const proxiedInfo: TargetInfo = { ...target.info, kubernetes: { ...kube, server: `https://${kubeProxy}`, kubeconfigs: { ...kube.kubeconfigs, broker: brokerKubeconfig } } };
    writeFileAtomic(proxiedTarget, `${JSON.stringify(proxiedInfo, null, 2)}\n`);

    // A prefix of its own per run: a cluster reused by hand never mixes runs' ledgers.
    const prefix = `/seb-${Date.now().toString(36)}`;
    const brokers: FleetBroker[] = [];
    for (let i = 1; i <= o.brokers; i++) {
      const id = `seb-${i}`;
      const dir = join(ws, id);
      mkdirSync(dir, { recursive: true });
      const key = await generateSigningKey('EdDSA', `${id}-key`);
      writeFileAtomic(join(dir, 'private.jwk.json'), JSON.stringify(key.privateJwk), 0o600);
      writeFileAtomic(join(dir, 'jwks.json'), JSON.stringify({ keys: [key.publicJwk] }));
      const config = join(dir, 'broker.yaml');
      const settings = {
        id,
        issuers: [LOCAL_ISSUER],
        audience: LOCAL_AUDIENCE,
        trustedKeys: workspace.sabJwks,
        brokerKey: join(dir, 'private.jwk.json'),
        recordLog: join(dir, 'records.db'),
        etcd: { endpoints: etcdProxies.map((p) => `https://${p}`), ca: etcd.tls.ca, cert: etcd.tls.cert, key: etcd.tls.key, prefix },
        revocation: { maxAgeMs: o.maxAgeMs },
        target: proxiedTarget,
        kubernetes: { mode: 'impersonation' },
      };
      writeFileAtomic(config, stringify(settings));
      const broker = await fleetBroker(id, config, join(dir, 'records.db'), join(o.workDir, `${id}.log`));
      stops.push(() => broker.stop());
      brokers.push(broker);
    }
    o.log(`${brokers.length} brokers listening: ${brokers.map((b) => `${b.id} ${b.url}`).join(', ')}`);

    const sabEtcd: Etcd3 = connectEtcd({ endpoints: etcd.endpoints, tls: etcd.tls, timeoutMs: 1000 });
    stops.push(async () => sabEtcd.close());
    // Connected to every member before it publishes, as a running SAB is: else its first revocations pay TLS handshakes.
    await openConnections(sabEtcd, 10_000);
    const privateJwk = readJsonFile(workspace.sabKey, 'SAB key');
    if (!isJsonObject(privateJwk)) throw new ConfigError(workspace.sabKey, 'not a JWK');
    return {
      target,
      info: target.info,
      etcd,
      toxiproxy,
      brokers,
      publisher: new RevocationPublisher(sabEtcd, { prefix }),
      sab: { privateJwk, issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE },
      maxAgeMs: o.maxAgeMs,
      logs: [...target.kubernetes!.logs, ...etcd.logs, toxiproxy.logFile, ...brokers.map((b) => b.logFile)],
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function proxiedKubeconfig(file: string, server: string): string {
  const config = parseYaml(readFileSync(file, 'utf8')) as { clusters: { cluster: { server: string } }[] };
  for (const c of config.clusters) c.cluster.server = server;
  return stringify(config);
}

async function fleetBroker(id: string, config: string, recordLog: string, logFile: string): Promise<FleetBroker> {
  let current: BrokerProcess = await startBrokerProcess({ config, logFile });
  let gone = false;
  const restarts: number[] = [];
  return {
    id,
    restarts,
    config,
    recordLog,
    logFile,
    get url() {
      return current.url;
    },
    get pid() {
      return current.pid;
    },
    async restart(env = {}) {
      const t = performance.now();
      current = await startBrokerProcess({ config, logFile, env });
      restarts.push(Math.round(performance.now() - t));
      gone = false;
    },
    async kill() {
      if (gone) return;
      current.process.signal('SIGKILL');
      await current.process.whenExited();
      gone = true;
    },
    async stop() {
      await current.stop();
      gone = true;
    },
  };
}
