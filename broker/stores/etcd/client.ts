// An etcd v3 client for the broker's shared state, over mutual TLS. The one
// setting that matters for safety: the client never retries a call that may
// have reached a server. A transaction retried after its first attempt
// committed unseen would answer from the second attempt (a use reported as
// replayed, or spent twice by one consume), so every such error reaches the
// caller, which fails closed. A call that never left (no connection to that
// member, or its circuit open) moves on to the next endpoint: nothing was
// sent, so nothing can have happened.
import { readFileSync } from 'node:fs';
import { Etcd3, type IOptions } from 'etcd3';
import { IoError } from '../../core/errors.js';
import { DEFAULT_ETCD_TIMEOUT_MS } from './defaults.js';

export interface EtcdConnection {
  readonly endpoints: readonly string[];
  /** PEM files: the cluster's CA, and this broker's client certificate and key. */
  readonly tls: { readonly ca: string; readonly cert: string; readonly key: string };
  /** Deadline of each call (ms); a call past it is an error whose effect is unknown. */
  readonly timeoutMs?: number;
}

type FaultHandling = NonNullable<IOptions['faultHandling']>;
type Policy = NonNullable<FaultHandling['global']>;
type Backoff = NonNullable<FaultHandling['watchBackoff']>;

/**
 * Calls that were never written to any connection: grpc-js fails a call this
 * way when its picker had no connected member to hand it to, and etcd3's
 * per-member circuit breaker refuses a call to a member that failed lately
 * (a killed and restarted member stays broken for a while) before sending it.
 */
export function neverSent(error: unknown): boolean {
  if (typeof error === 'object' && error !== null && (error as { isBrokenCircuitError?: unknown }).isBrokenCircuitError === true) return true;
  return error instanceof Error && error.message.includes('No connection established');
}

/**
 * The global policy: try the next endpoint only after a call that never left.
 * Written out rather than built with cockatiel, which is etcd3's dependency,
 * not ours; etcd3 only calls execute().
 */
function retryUnsent(endpoints: number): Policy {
  const noListener = () => ({ dispose: () => undefined });
  return {
    async execute<T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> {
      const signal = new AbortController().signal;
      for (let attempt = 1; ; attempt++) {
        try {
          return await fn({ signal });
        } catch (error) {
          if (attempt >= endpoints || !neverSent(error)) throw error;
        }
      }
    },
    onSuccess: noListener,
    onFailure: noListener,
  } as unknown as Policy;
}

/**
 * Per member: no circuit breaker. etcd3's default breaker keeps refusing a
 * member for a while after it failed, even once it is back (a killed and
 * restarted member); a member that is really down fails the call at once as
 * never sent, and retryUnsent moves on. Nothing is retried here.
 */
function direct(): Policy {
  const noListener = () => ({ dispose: () => undefined });
  return {
    // Async, as etcd3 expects: a synchronous throw (a stream that cannot open) becomes a rejection it handles.
    async execute<T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> {
      return await fn({ signal: new AbortController().signal });
    },
    onSuccess: noListener,
    onFailure: noListener,
  } as unknown as Policy;
}

/** Watch reconnects: 100 ms doubling to 1 s, not etcd3's 30 s, so a feed comes back within the staleness bound. */
function watchBackoff(duration = 100): Backoff {
  return { duration, next: () => watchBackoff(Math.min(duration * 2, 1000)) };
}

export function connectEtcd(connection: EtcdConnection): Etcd3 {
  const timeoutMs = connection.timeoutMs ?? DEFAULT_ETCD_TIMEOUT_MS;
  const read = (what: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new IoError(`etcd ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`, { cause: error });
    }
  };
  return new Etcd3({
    hosts: [...connection.endpoints],
    credentials: { rootCertificate: read('ca', connection.tls.ca), certChain: read('cert', connection.tls.cert), privateKey: read('key', connection.tls.key) },
    dialTimeout: timeoutMs,
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + timeoutMs }),
    // A watch stream on a member that hangs (SIGSTOP, a dead link) is noticed by
    // keepalive; etcd answers pings more often than every 5 s, or outside a
    // call, by closing the connection, so ping every 10 s and only in a call.
    grpcOptions: { 'grpc.keepalive_time_ms': 10_000, 'grpc.keepalive_timeout_ms': 3000 },
    faultHandling: { global: retryUnsent(connection.endpoints.length), host: () => direct(), watchBackoff: watchBackoff() },
  });
}

/** The part of etcd3's connection pool openConnections needs (etcd3 1.1.2, pinned; no public API does this). */
interface PoolWithHosts {
  readonly pool: { readonly hosts: readonly { getServiceClient(name: 'KV'): { waitForReady(deadline: number, done: (error?: Error) => void): void } }[] };
}

/**
 * Connects to every member now rather than on first use. etcd3 sends each
 * call to a member picked at random and only then connects to it, so a
 * client's first call to each member pays a TLS handshake (30 to 60 ms on a
 * loaded 2-core machine): a publisher that has just started would show that
 * in its first revocations. Resolves with the members that answered within
 * timeoutMs; one that did not is used as before (its calls fail as never sent
 * and go to the next member).
 */
export async function openConnections(client: Etcd3, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const { hosts } = (client as unknown as PoolWithHosts).pool;
  const ready = await Promise.all(hosts.map((host) => new Promise<boolean>((resolve) => host.getServiceClient('KV').waitForReady(deadline, (error) => resolve(error === undefined)))));
  return ready.filter(Boolean).length;
}
