// Network faults through Toxiproxy: one TCP proxy per upstream (kube-apiserver,
// each etcd member, moto), and the brokers' target.json and etcd endpoints
// point at the proxies, never at the upstreams. The harness itself (the SAB,
// the admin client, the validator) goes direct, so a fault hits the brokers
// only. TLS passes through untouched: the proxies listen on 127.0.0.1, which
// the upstreams' certificates name.
import { Toxiproxy, type Proxy, type ToxicType } from 'toxiproxy-node-client';
import { installBinaries } from '../harness/targets/local/binaries.js';
import { freePort, START_ATTEMPTS, startOnFreshPorts } from '../harness/targets/local/ports.js';
import { ManagedProcess } from '../harness/targets/local/process.js';
import { waitFor } from '../harness/targets/local/wait.js';
import { FaultError, type Fault } from './fault.js';
import type { AwsTarget } from '../broker/platforms/target-info.js';

export const NETWORK_FAULTS = ['latency', 'timeout', 'reset_peer', 'bandwidth', 'down'] as const;
export type NetworkFaultKind = (typeof NETWORK_FAULTS)[number];

export interface ToxiproxyServer {
  readonly apiUrl: string;
  readonly logFile: string;
  /** A proxy to `upstream` (host:port) on a free loopback port; returns its host:port. */
  proxy(name: string, upstream: string): Promise<string>;
  /** Every proxy of a group (e.g. the three etcd members), by name prefix. */
  proxies(prefix: string): Promise<Proxy[]>;
  healthy(): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startToxiproxy(logFile: string): Promise<ToxiproxyServer> {
  const binary = (await installBinaries(['toxiproxy']))['toxiproxy-server'];
  if (binary === undefined) throw new FaultError('network', 'install.sh printed no toxiproxy-server path');
  const { apiUrl, process } = await startOnFreshPorts(1, async ([port]) => {
    const url = `http://127.0.0.1:${port}`;
    const args = ['-host', '127.0.0.1', '-port', String(port)];
    return { apiUrl: url, process: await ManagedProcess.start({ name: 'toxiproxy-server', command: binary, args, logFile, wait: waitFor.http(`${url}/version`), readyTimeoutMs: 20_000 }) };
  });
  const client = new Toxiproxy(apiUrl);
  const healthy = async () => (await fetch(`${apiUrl}/version`)).ok;
  return {
    apiUrl,
    logFile,
    async proxy(name, upstream) {
      // Toxiproxy binds the port when the proxy is created: a port lost to a race fails here, and another is tried.
      for (let attempt = 1; ; attempt++) {
        const listen = `127.0.0.1:${await freePort()}`;
        try {
          await client.createProxy({ name, listen, upstream, enabled: true });
          return listen;
        } catch (error) {
          if (attempt >= START_ATTEMPTS) throw new FaultError('network', `proxy ${name} on ${listen}: ${(error as Error).message}`);
        }
      }
    },
    async proxies(prefix) {
      const all = await client.getAll();
      return Object.values(all).filter((p) => p.name.startsWith(prefix));
    },
    healthy: () => healthy().catch(() => false),
    stop: () => process.stop(),
  };
}

/**
 * The AWS side of a target with its endpoint moved onto a proxy named `moto`
 * (moto speaks plain HTTP on loopback), for the brokers' target.json; the
 * harness keeps the direct endpoint. A fault on group `moto` then reaches the
 * brokers' live-state reads, STS and their executors' writes.
 */
export async function proxyMoto(server: ToxiproxyServer, aws: AwsTarget): Promise<AwsTarget> {
  const upstream = new URL(aws.endpoint);
  if (upstream.protocol !== 'http:') throw new FaultError('network', `moto's endpoint ${aws.endpoint} is not plain HTTP on loopback`);
  return { ...aws, endpoint: `http://${await server.proxy('moto', upstream.host)}` };
}

/** The toxic for each kind; `down` is not a toxic but a disabled proxy (Toxiproxy's own model). */
function toxicFor(kind: Exclude<NetworkFaultKind, 'down'>): { type: ToxicType; attributes: Record<string, number> } {
  switch (kind) {
    case 'latency':
      // Well under the etcd call deadline, so it slows without failing.
      return { type: 'latency', attributes: { latency: 300, jitter: 100 } };
    case 'timeout':
      // Data stops; the connection closes after 3 s: every deadline in the broker fires first.
      return { type: 'timeout', attributes: { timeout: 3000 } };
    case 'reset_peer':
      return { type: 'reset_peer', attributes: { timeout: 0 } };
    case 'bandwidth':
      return { type: 'bandwidth', attributes: { rate: 4 } };
  }
}

/** A network fault on every proxy whose name starts with `group` (`kube`, `etcd`, `moto`). */
export function networkFault(server: ToxiproxyServer, group: string, kind: NetworkFaultKind): Fault {
  const name = `network-${kind}`;
  const each = async (fn: (p: Proxy) => Promise<unknown>) => {
    const proxies = await server.proxies(group);
    if (proxies.length === 0) throw new FaultError(name, `no proxy named ${group}*`);
    await Promise.all(proxies.map(fn));
  };
  const toxicName = `seb-${kind}`;
  return {
    name,
    target: group,
    inject: () =>
      each((p) =>
        kind === 'down'
          ? p.update({ enabled: false, listen: p.listen, upstream: p.upstream })
          : p.addToxic({ name: toxicName, stream: 'downstream', toxicity: 1, ...toxicFor(kind) }),
      ),
    remove: () =>
      each(async (p) => {
        if (kind === 'down') return p.update({ enabled: true, listen: p.listen, upstream: p.upstream });
        const toxic = await p.getToxic(toxicName);
        return toxic.remove();
      }),
  };
}
