// Requests across the fleet, recorded as a history: every attempt with its
// broker, certificate, send and answer instants (ms since the run's one start
// time) and what the broker said. Certificates are for the configmap-data
// kind (the cheapest real mutation); request i writes slot i % slots with the
// value `value-i`, so the live state names the last request that wrote it.
import { randomBytes } from 'node:crypto';
import type { Contract } from '../../broker/core/certificate/contract.js';
import { issueCertificate } from '../../broker/sab/issue.js';
import { clientFor } from '../workload/kinds/kubernetes-objects.js';
import { deriveSeed, seededRng } from '../load/rng.js';
import { adaptersFor } from '../../broker/platforms/from-target.js';
import { BrokerClient } from '../workload/broker-client.js';
import { kubernetesKinds, type KubernetesKindContext } from '../workload/kinds/kubernetes.js';
import type { StateReader } from '../workload/kinds/shared.js';
import type { MutationKind } from '../workload/mutation.js';
import type { Attempt, AttemptKind } from '../validate/violations.js';
import type { Fleet, FleetBroker } from './fleet.js';

export interface Certified {
  readonly i: number;
  readonly jti: string;
  readonly rep: number;
  readonly contract: Contract;
  readonly certificate: string;
}

export interface FleetLoad {
  readonly slots: number;
  readonly namespace: string;
  readonly kind: MutationKind<KubernetesKindContext>;
  readonly ctx: KubernetesKindContext;
  readonly history: Attempt[];
  /** ms since the run's start: every instant the benches record is on this clock. */
  now(): number;
  /** Read the slot's live state and have the SAB sign request i against it. */
  admit(i: number, rep?: number): Promise<Certified>;
  execute(broker: FleetBroker, c: Certified, kind: AttemptKind, body?: string): Promise<Attempt>;
  verify(broker: FleetBroker, c: Certified): Promise<Attempt>;
  /** Execute requests sent to this broker and not yet answered. */
  inFlight(broker: string): number;
  /** The request index each slot's live value names (-1: never written by a request). */
  liveIndices(): Promise<number[]>;
  close(): Promise<void>;
}

const SEED = 5;

export async function fleetLoad(fleet: Fleet, slots: number, t0: number): Promise<FleetLoad> {
  const kube = fleet.info.kubernetes!;
  const namespace = kube.protectedNamespaces[0] as string;
  const tag = randomBytes(3).toString('hex');
  const kind = kubernetesKinds({ namespace, pool: { tag, size: slots } }).find((k) => k.name === 'configmap-data')!;
  // The SAB reads through the broker's adapter, direct (not proxied): what it certifies is the truth.
  const readers = adaptersFor(fleet.info, { kubernetesMode: 'pooled' });
  const ctx: KubernetesKindContext = { admin: clientFor(kube.kubeconfigs.admin), reader: readers.adapters[0] as StateReader };
  await kind.prepare?.(ctx);
  const clients = new Map<string, BrokerClient>();
  // A restarted broker listens on a new port: one client per URL.
  const clientOf = (b: FleetBroker) => {
    let c = clients.get(b.url);
    if (c === undefined) clients.set(b.url, (c = new BrokerClient({ url: b.url, timeoutMs: 20_000 })));
    return c;
  };
  const history: Attempt[] = [];
  const pending = new Map<string, number>();
  const now = () => Date.now() - t0;
  const contractOf = (i: number) => kind.contract(i, seededRng(deriveSeed(SEED, kind.name, i)));
  return {
    slots,
    namespace,
    kind,
    ctx,
    history,
    now,
    async admit(i, rep = 0) {
      const contract = contractOf(i);
      const pre = await kind.preState(contract, ctx);
      const jti = randomBytes(16).toString('base64url');
      const certificate = await issueCertificate({
        privateJwk: fleet.sab.privateJwk,
        issuer: fleet.sab.issuer,
        audience: fleet.sab.audience,
        subject: 'fleet-agent',
        contract,
        nowS: Math.floor(Date.now() / 1000),
        revocationEpoch: rep,
        jti,
        preState: pre.state,
        ...(pre.version === undefined ? {} : { preVersion: pre.version }),
      });
      return { i, jti, rep, contract, certificate };
    },
    inFlight: (broker) => pending.get(broker) ?? 0,
    async execute(broker, c, kindOf, body) {
      const sentMs = now();
      pending.set(broker.id, (pending.get(broker.id) ?? 0) + 1);
      const r = await (body === undefined ? clientOf(broker).execute({ certificate: c.certificate, contract: c.contract }) : rawExecute(broker.url, body)).finally(() =>
        pending.set(broker.id, (pending.get(broker.id) ?? 1) - 1),
      );
      const a: Attempt = { broker: broker.id, path: 'execute', kind: kindOf, i: c.i, jti: c.jti, rep: c.rep, sentMs, answeredMs: now(), outcome: r.outcome, reason: r.reason };
      history.push(a);
      return a;
    },
    async verify(broker, c) {
      const sentMs = now();
      const r = await rawVerify(broker.url, JSON.stringify({ certificate: c.certificate, contract: c.contract }));
      const a: Attempt = { broker: broker.id, path: 'verify', kind: 'probe', i: c.i, jti: c.jti, rep: c.rep, sentMs, answeredMs: now(), ...r };
      history.push(a);
      return a;
    },
    async liveIndices() {
      const out: number[] = [];
      for (let s = 0; s < slots; s++) {
        const live = await ctx.reader.readLiveState(ctx.reader.plan(contractOf(s)));
        const mode = JSON.stringify(live.state).match(/"mode":"value-([0-9]+)"/);
        out.push(mode === null ? -1 : Number(mode[1]));
      }
      return out;
    },
    async close() {
      for (const c of clients.values()) c.close();
      await kind.cleanup?.(ctx).catch(() => undefined);
      ctx.admin.close();
      readers.close();
    },
  };
}

type Answer = { outcome: Attempt['outcome']; reason: string | null };

/** A body sent as is (a tampered certificate): BrokerClient would re-serialize it. */
async function rawExecute(url: string, body: string): Promise<Answer> {
  return post(`${url}/v1/execute`, body, (b) => (b.decision === 'allow' && b.outcome === 'succeeded' ? { outcome: 'executed', reason: null } : null));
}

async function rawVerify(url: string, body: string): Promise<Answer> {
  // /v1/verify never executes: an allow there means "passes predicates 1 to 8", recorded as passed.
  return post(`${url}/v1/verify`, body, (b) => (b.decision === 'allow' ? { outcome: 'passed', reason: null } : null));
}

async function post(url: string, body: string, allow: (b: Record<string, unknown>) => Answer | null): Promise<Answer> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(20_000) });
    const b = (await res.json()) as Record<string, unknown>;
    const allowed = allow(b);
    if (allowed !== null) return allowed;
    if (b.decision === 'deny' && typeof b.reason === 'string') return { outcome: 'denied', reason: b.reason };
    return { outcome: 'error', reason: `HTTP ${res.status}` };
  } catch (error) {
    return { outcome: 'error', reason: (error as Error).message.slice(0, 200) };
  }
}

/**
 * The health check that brackets every fault: one fresh request through the
 * broker, executed. Retried until the deadline, since a broker just started
 * or just out of a fault needs its revocation view current again; resolves to
 * the instant it first succeeded, or throws.
 */
export async function untilHealthy(load: FleetLoad, broker: FleetBroker, nextIndex: () => number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    const c = await load.admit(nextIndex()).catch((e: unknown) => {
      last = `admission: ${(e as Error).message}`;
      return undefined;
    });
    const a = c === undefined ? undefined : await load.execute(broker, c, 'fresh');
    if (a?.outcome === 'executed') return a.answeredMs;
    if (a !== undefined) last = a.reason ?? a.outcome;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new HealthError(broker.id, `not healthy within ${timeoutMs} ms (last: ${last})`);
}

export class HealthError extends Error {
  readonly code = 'unhealthy';
  constructor(what: string, message: string) {
    super(`health check ${what}: ${message}`);
    this.name = 'HealthError';
  }
}
