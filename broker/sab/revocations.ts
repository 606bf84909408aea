// The reference SAB's side of the revocation feed: it writes to etcd what
// every broker watches (layout in stores/etcd/keys.ts). Floor and policy
// epoch only rise: lowering either would make certificates valid again that
// brokers already refuse, so a lower value is refused and an equal one is a
// no-op. That also makes each call safe to repeat after an error whose
// result is unknown, which is the only retry a caller should ever need.
import type { Etcd3 } from 'etcd3';
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

/** etcd's default --max-txn-ops. */
const MAX_TXN_PUTS = 128;

export class RevocationPublisher {
  private readonly keys: ReturnType<typeof revocationKeys>;
  private readonly clock: () => number;

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

  private async raise(key: Buffer, name: string, to: number): Promise<Published> {
    if (!Number.isSafeInteger(to) || to < 0) throw new InvalidInputError(`${name}: ${to} is not a non-negative integer`);
    // A failed compare means another publisher wrote first: read again and
    // decide again. Bounded, as a publisher racing itself forever is a bug.
    for (let attempt = 0; attempt < 8; attempt++) {
      const read = await this.call(`read ${name}`, () => this.client.kv.range({ key }));
      const kv = read.kvs[0];
      const current = kv === undefined ? 0 : readCount(kv.value);
      if (current === null) throw new IoError(`${name}: the feed holds ${JSON.stringify(kv?.value.toString())}, not a count; repair it by hand`);
      if (to < current) throw new InvalidInputError(`${name} is ${current}: it only rises, so ${to} is refused`);
      if (kv !== undefined && to === current) return { revision: Number(read.header.revision), changed: false };
      const txn = await this.call(`raise ${name}`, () =>
        this.client.kv.txn({
          compare: [{ key, target: 'Mod', result: 'Equal', mod_revision: kv?.mod_revision ?? '0' }],
          success: [{ request_put: { key, value: Buffer.from(String(to)) } }],
        }),
      );
      if (txn.succeeded) return { revision: Number(txn.header.revision), changed: true };
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
