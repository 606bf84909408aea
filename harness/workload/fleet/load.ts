// Requests across the fleet, recorded in the run's one history
// (metrics/history.ts) through the one broker client: every request with its
// broker, certificate, why it was sent, send and answer instants (ms since
// the run's one start time) and what the broker said. Certificates are for
// the configmap-data kind (the cheapest real mutation); request i writes slot
// i % slots with the value `value-i`, so the live state names the last
// request that wrote it.
import { randomBytes } from 'node:crypto';
import type { Contract } from '../../../broker/core/certificate/contract.js';
import { CertificateIssuer } from '../../../broker/sab/issue.js';
import { clientFor } from '../kinds/kubernetes-objects.js';
import { deriveSeed, seededRng } from '../../load/rng.js';
import { adaptersFor } from '../../../broker/platforms/from-target.js';
import { BrokerClient } from '../broker-client.js';
import { kubernetesKinds, type KubernetesKindContext } from '../kinds/kubernetes.js';
import type { StateReader } from '../kinds/shared.js';
import type { MutationKind } from '../mutation.js';
import type { AttemptKind, History, RequestRecord } from '../../metrics/history.js';
import type { RequestOutcome } from '../workload.js';
import type { Fleet, FleetBroker } from '../../bench/fleet.js';

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
  /** The scenario every record and event is labelled with. */
  readonly scenario: string;
  /** The run's history: every request the fleet sent is a record in it. */
  readonly history: History;
  /** ms since the run's start: every instant the benches record is on this clock. */
  now(): number;
  /** Read the slot's live state and have the SAB sign request i against it. */
  admit(i: number, rep?: number): Promise<Certified>;
  /** `body`: sent exactly as given (a tampered certificate). */
  execute(broker: FleetBroker, c: Certified, attempt: AttemptKind, body?: string): Promise<RequestRecord>;
  /** A /v1/verify probe (recorded as attempt `probe`). */
  verify(broker: FleetBroker, c: Certified): Promise<RequestRecord>;
  /** Execute requests sent to this broker and not yet answered. */
  inFlight(broker: string): number;
  /** The request index each slot's live value names (-1: never written by a request). */
  liveIndices(): Promise<number[]>;
  close(): Promise<void>;
}

const SEED = 5;

/** The fleet's load for `scenario`, recording into `history` (whose start is the run's). */
export async function fleetLoad(fleet: Fleet, slots: number, history: History, scenario: string): Promise<FleetLoad> {
  const kube = fleet.info.kubernetes!;
  const sab = CertificateIssuer.fromJwk(fleet.sab.privateJwk);
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
  const pending = new Map<string, number>();
  let sequence = 0;
  // Whole ms, as the files keep them: a count recomputed from attempts.csv over a window lands where the bench's did.
  const now = () => Math.round(history.since(performance.now()));
  const contractOf = (i: number) => kind.contract(i, seededRng(deriveSeed(SEED, kind.name, i)));
  const send = async (broker: FleetBroker, c: Certified, attempt: AttemptKind, call: () => Promise<RequestOutcome>): Promise<RequestRecord> => {
    const sentMs = now();
    const r = await call();
    const answeredMs = now();
    const record: RequestRecord = {
      scenario,
      target: fleet.info.name,
      platform: 'kubernetes',
      path: 'seb',
      operation: kind.name,
      request_id: `${broker.id}-${attempt}-${c.i}.${sequence++}`,
      start_ms: sentMs,
      latency_ms: answeredMs - sentMs,
      sent_ms: sentMs,
      answered_ms: answeredMs,
      outcome: r.outcome,
      reason: r.reason,
      phases: r.phases ?? {},
      jti: c.jti,
      broker: broker.id,
      attempt,
      index: c.i,
      rep: c.rep,
    };
    history.addRequest(record);
    return record;
  };
  return {
    slots,
    namespace,
    kind,
    ctx,
    scenario,
    history,
    now,
    async admit(i, rep = 0) {
      const contract = contractOf(i);
      const pre = await kind.preState(contract, ctx);
      const jti = randomBytes(16).toString('base64url');
      const certificate = await sab.issue({
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
    execute(broker, c, attempt, body) {
      pending.set(broker.id, (pending.get(broker.id) ?? 0) + 1);
      return send(broker, c, attempt, () => clientOf(broker).execute(body ?? { certificate: c.certificate, contract: c.contract })).finally(() =>
        pending.set(broker.id, (pending.get(broker.id) ?? 1) - 1),
      );
    },
    verify(broker, c) {
      return send(broker, c, 'probe', () => clientOf(broker).verify({ certificate: c.certificate, contract: c.contract }));
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

/**
 * The health check that brackets every fault and revocation: one fresh
 * request through the broker (its certificate at revocation floor `rep`), executed. Retried until the deadline, since a broker just started
 * or just out of a fault needs its revocation view current again; resolves to
 * the instant it first succeeded, or throws.
 */
export async function untilHealthy(load: FleetLoad, broker: FleetBroker, nextIndex: () => number, timeoutMs: number, rep = 0): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    const c = await load.admit(nextIndex(), rep).catch((e: unknown) => {
      last = `admission: ${(e as Error).message}`;
      return undefined;
    });
    const a = c === undefined ? undefined : await load.execute(broker, c, 'fresh');
    if (a?.outcome === 'executed') return a.answered_ms;
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
