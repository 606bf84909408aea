// The Kubernetes platform adapter: the broker's own identity (from its
// kubeconfig) reads targets and manages executors; each mutation is sent as a
// token minted for that one execution. Settings are checked when the adapter
// is built, so a misconfiguration fails at start and names the setting.
import type { Claims } from '../../core/certificate/claims.js';
import type { Contract } from '../../core/certificate/contract.js';
import { ConfigError, InvalidInputError } from '../../core/errors.js';
import type { CachedReads, InvokeResult, PlatformAdapter, Reservation, ScopedIdentity } from '../../core/ports/platform.js';
import type { LiveState } from '../../core/predicates/drift.js';
import { canonicalize } from '../../core/jcs.js';
import { isJsonObject, type JsonValue } from '../../core/strict-json.js';
import { KubeClient } from './client.js';
import { ExecutorHandle, Executors, type ExecutorMode } from './executor.js';
import { readReservation, reservationOf } from './executor-objects.js';
import { invokeAs } from './invoke.js';
import { loadKubeconfig } from './kubeconfig.js';
import { liveStateOf, readLiveState } from './live-state.js';
import { planMutation, type KubernetesPlan } from './operations.js';
import { WatchCache } from './watch-cache.js';
import { apiCollection } from './watch-source.js';

export const DEFAULT_EXECUTOR_NAMESPACE = 'seb-executors';
export const DEFAULT_EXECUTOR_AUDIENCE = 'seb-executor';

export interface KubernetesAdapterOptions {
  /** Namespaces whose objects contracts may name; the platform's admission policy guards the same list. */
  readonly protectedNamespaces: readonly string[];
  readonly executorNamespace?: string;
  readonly audience?: string;
  readonly mode?: ExecutorMode;
  readonly timeoutMs?: number;
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export class KubernetesAdapter implements PlatformAdapter<KubernetesPlan> {
  readonly name = 'kubernetes' as const;
  readonly mode: ExecutorMode;
  private readonly protectedNamespaces: readonly string[];
  private readonly executors: Executors;
  private readonly executorNamespace: string;
  private readonly cache: WatchCache;

  constructor(
    private readonly client: KubeClient,
    options: KubernetesAdapterOptions,
  ) {
    const executorNamespace = options.executorNamespace ?? DEFAULT_EXECUTOR_NAMESPACE;
    const audience = options.audience ?? DEFAULT_EXECUTOR_AUDIENCE;
    if (options.protectedNamespaces.length === 0) throw new ConfigError('kubernetes.protectedNamespaces', 'must name at least one namespace');
    for (const ns of [...options.protectedNamespaces, executorNamespace]) {
      if (!NAMESPACE.test(ns)) throw new ConfigError('kubernetes namespaces', `${JSON.stringify(ns)} is not a namespace name`);
    }
    // Executors live apart from what they mutate: a contract must never target the broker's own objects.
    if (options.protectedNamespaces.includes(executorNamespace)) {
      throw new ConfigError('kubernetes.executorNamespace', 'must not be one of the protected namespaces');
    }
    if (audience === '') throw new ConfigError('kubernetes.audience', 'must not be empty');
    this.protectedNamespaces = [...options.protectedNamespaces];
    this.executorNamespace = executorNamespace;
    this.mode = options.mode ?? 'impersonation';
    this.executors = new Executors(client, { namespace: executorNamespace, audience, mode: this.mode });
    this.cache = new WatchCache((collectionPath) => apiCollection(client, collectionPath));
  }

  /** From the broker's kubeconfig (current context, or `context`). */
  static fromKubeconfig(file: string, options: KubernetesAdapterOptions, context?: string): KubernetesAdapter {
    const connection = loadKubeconfig(file, context);
    return new KubernetesAdapter(KubeClient.connect(connection, connection.credential, options.timeoutMs), options);
  }

  plan(contract: Contract): KubernetesPlan {
    return planMutation(contract, this.protectedNamespaces);
  }

  /**
   * For reconciliation after a crash: every value the patch adds is what the
   * live projection shows under the same name (each patch sets one member
   * that the projection carries: replicas, data, ingress).
   */
  matchesIntent(plan: KubernetesPlan, live: LiveState): boolean {
    if (!isJsonObject(live.state)) return false;
    const state = live.state;
    return plan.patch.every((op) => {
      const name = String(op.path).split('/').at(-1) ?? '';
      const value = op.value;
      return Object.hasOwn(state, name) && value !== undefined && canonicalize(state[name] as JsonValue) === canonicalize(value);
    });
  }

  readLiveState(plan: KubernetesPlan): Promise<LiveState> {
    return readLiveState(this.client, plan);
  }

  /**
   * From the broker's watch cache, without a request; until the object's
   * collection is in sync there (or when it does not hold the object), from
   * the API server's. Every write is conditioned on the resourceVersion read
   * (invoke.ts), so a state that lags costs a refused write, never an
   * unchecked one.
   */
  async readCachedLiveState(plan: KubernetesPlan): Promise<LiveState> {
    const object = this.cache.get(plan.collectionPath, plan.target.name);
    return object === undefined ? readLiveState(this.client, plan, 'cache') : liveStateOf(plan, object);
  }

  cachedReads(): CachedReads {
    return this.cache.reads();
  }

  /** Undefined for an impersonation: it creates nothing that could be left behind. */
  reserve(plan: KubernetesPlan): Reservation | undefined {
    const objects = this.executors.reserve(plan);
    return objects === undefined ? undefined : reservationOf(objects);
  }

  async mint(plan: KubernetesPlan, claims: Claims, reservation?: Reservation): Promise<ScopedIdentity> {
    return this.executors.mint(plan, { jti: claims.jti, cdg: claims.cdg }, reservation === undefined ? undefined : this.readReservation(reservation));
  }

  /** After a crash: delete the objects a mint under this reservation may have created. */
  async retireReserved(reservation: Reservation): Promise<void> {
    return this.executors.retire(this.readReservation(reservation));
  }

  invoke(plan: KubernetesPlan, identity: ScopedIdentity, live: LiveState): Promise<InvokeResult> {
    return invokeAs(handleOf(identity).client, plan, live);
  }

  retire(identity: ScopedIdentity): Promise<void> {
    return this.executors.retire(handleOf(identity).objects);
  }

  private readReservation(reservation: Reservation) {
    return readReservation(reservation, { namespace: this.executorNamespace, roleNamespaces: this.protectedNamespaces });
  }

  close(): void {
    this.cache.close();
    this.client.close();
  }
}

function handleOf(identity: ScopedIdentity): ExecutorHandle {
  if (!(identity.handle instanceof ExecutorHandle)) throw new InvalidInputError('identity was not minted by the Kubernetes adapter');
  return identity.handle;
}
