// The reference SAB's side of the revocation feed: it writes to etcd what
// every broker watches (layout in stores/etcd/keys.ts). Floor and policy
// epoch only rise: lowering either would make certificates valid again that
// brokers already refuse, so a lower value is refused and an equal one is a
// no-op. That also makes each call safe to repeat after an error whose
// result is unknown, which is the only retry a caller should ever need.
import type { Etcd3, IKeyValue } from 'etcd3';
import { JTI_PATTERN } from '../core/certificate/claims.js';
import { InvalidInputError, IoError } from '../core/errors.js';
import { revocationKeys } from '../stores/etcd/keys.js';
import { readCount } from '../stores/etcd/revocation-feed.js';

export interface Published {
  /** The etcd revision at which the feed shows the change (or already showed it). */
  readonly revision: number;
  readonly changed: boolean;
}

export interface RevocationPublisherOptions {
  readonly prefix: string;
  readonly clock?: () => number;
}

/** A floor or epoch as last seen: its mod revision ('0': absent, which reads as 0) and value. */
interface KnownCount {
  readonly modRevision: string;
  readonly count: number;
}

const ABSENT: KnownCount = { modRevision: '0', count: 0 };

/** etcd's default --max-txn-ops. */
const MAX_TXN_PUTS = 128;

export class RevocationPublisher {
  private readonly keys: ReturnType<typeof revocationKeys>;
  private readonly clock: () => number;
  /** Floor and epoch by key, as this publisher last saw them: what the next raise compares against. */
  private readonly known = new Map<string, KnownCount>();

  constructor(
    private readonly client: Etcd3,
    options: RevocationPublisherOptions,
  ) {
    this.keys = revocationKeys(options.prefix);
    this.clock = options.clock ?? Date.now;
  }

  /**
   * Revoke one certificate. With `untilMs` (its expiry plus the brokers'
   * skew) the entry goes away once no broker could accept it anyway; without
   * it, the entry stays until deleted.
   */
  async revoke(jti: string, options: { untilMs?: number } = {}): Promise<Published> {
    if (!JTI_PATTERN.test(jti)) throw new InvalidInputError(`revoke: ${JSON.stringify(jti)} is not a certificate id`);
    const now = this.clock();
    const { untilMs } = options;
    // Rounded up, plus one second: the lease ends no earlier than untilMs.
    const ttl = untilMs === undefined ? undefined : Math.max(1, Math.ceil((untilMs - now) / 1000) + 1);
    const lease = ttl === undefined ? undefined : await this.call('lease grant', () => this.client.leaseClient.leaseGrant({ TTL: ttl }));
    const r = await this.call(`revoke ${jti}`, () =>
      this.client.kv.put({ key: this.keys.jti(jti), value: Buffer.from(String(now)), ...(lease === undefined ? {} : { lease: lease.ID }) }),
    );
    return { revision: Number(r.header.revision), changed: true };
  }

  /**
   * Revoke many certificates at once, without expiry: one transaction (per
   * MAX_TXN_PUTS), so brokers learn of them in one watch event rather than
   * one per certificate, and none of the batch is in force before the rest.
   */
  async revokeAll(jtis: readonly string[]): Promise<Published> {
    const bad = jtis.find((jti) => !JTI_PATTERN.test(jti));
    if (bad !== undefined) throw new InvalidInputError(`revoke: ${JSON.stringify(bad)} is not a certificate id`);
    const value = Buffer.from(String(this.clock()));
    let revision = 0;
    for (let at = 0; at < jtis.length; at += MAX_TXN_PUTS) {
      const puts = jtis.slice(at, at + MAX_TXN_PUTS).map((jti) => ({ request_put: { key: this.keys.jti(jti), value } }));
      const txn = await this.call(`revoke ${puts.length} certificates`, () => this.client.kv.txn({ compare: [], success: puts }));
      revision = Number(txn.header.revision);
    }
    return { revision, changed: jtis.length > 0 };
  }

  /** Certificates whose `rep` is below `floor` are revoked. */
  raiseFloor(floor: number): Promise<Published> {
    return this.raise(this.keys.floor, 'revocation floor', floor);
  }

  /** Certificates admitted under any other epoch are refused (predicate 5). */
  setPolicyEpoch(epoch: number): Promise<Published> {
    return this.raise(this.keys.epoch, 'policy epoch', epoch);
  }

  /**
   * Read the floor and the epoch as they stand (one round trip), so that the
   * next raise of either is one round trip too; a SAB calls it as it starts,
   * which also opens its connection before the first revocation.
   */
  async refresh(): Promise<void> {
    const counts = [
      { key: this.keys.floor, name: 'revocation floor' },
      { key: this.keys.epoch, name: 'policy epoch' },
    ];
    const txn = await this.call('read floor and epoch', () => this.client.kv.txn({ compare: [], success: counts.map(({ key }) => ({ request_range: { key } })) }));
    counts.forEach(({ key, name }, i) => this.known.set(key.toString('utf8'), stateOf(name, txn.responses[i]?.response_range?.kvs[0])));
  }

  /**
   * One round trip when this publisher's knowledge of the key is right: a
   * transaction that writes only if the key is still at the mod revision last
   * seen (absent, before anything was seen), and otherwise reads it back, so a
   * stale view costs one more round trip, never a wrong write. A failed
   * compare means another publisher wrote first: decide again on what it
   * read. Bounded, as a publisher racing itself forever is a bug.
   */
  private async raise(key: Buffer, name: string, to: number): Promise<Published> {
    if (!Number.isSafeInteger(to) || to < 0) throw new InvalidInputError(`${name}: ${to} is not a non-negative integer`);
    const id = key.toString('utf8');
    let seen = this.known.get(id) ?? ABSENT;
    for (let attempt = 0; attempt < 8; attempt++) {
      if (to < seen.count) throw new InvalidInputError(`${name} is ${seen.count}: it only rises, so ${to} is refused`);
      const write = seen.modRevision === '0' || to > seen.count;
      const txn = await this.call(`raise ${name}`, () =>
        this.client.kv.txn({
          compare: [{ key, target: 'Mod', result: 'Equal', mod_revision: seen.modRevision }],
          success: write ? [{ request_put: { key, value: Buffer.from(String(to)) } }] : [],
          failure: [{ request_range: { key } }],
        }),
      );
      if (txn.succeeded) {
        const revision = Number(txn.header.revision);
        if (write) this.known.set(id, { modRevision: txn.header.revision, count: to });
        return { revision, changed: write };
      }
      seen = stateOf(name, txn.responses[0]?.response_range?.kvs[0]);
      this.known.set(id, seen);
    }
    throw new IoError(`${name}: changed under 8 consecutive attempts`);
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new IoError(`revocation feed: ${what} failed: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** A floor or epoch as etcd returned it. */
function stateOf(name: string, kv: IKeyValue | undefined): KnownCount {
  if (kv === undefined) return ABSENT;
  const count = readCount(kv.value);
  if (count === null) throw new IoError(`${name}: the feed holds ${JSON.stringify(kv.value.toString())}, not a count; repair it by hand`);
  return { modRevision: kv.mod_revision, count };
}
