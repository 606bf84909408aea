// The replay ledger on etcd, shared by every broker of a cluster (predicate
// 9). A use is consumed by exactly one etcd transaction: "if the entry is
// still at the revision I read, put used + 1", so of two brokers racing on
// one certificate only one commit can win. A compare that fails is a
// definite answer (nothing was written) and is safe to retry with the entry it
// returns; an error or a timeout is not (the put may have committed), so it
// is thrown and the broker denies with ledger_unavailable: at worst a use is
// lost, never spent twice.
//
// Expiry is etcd's: each entry is attached to a lease that outlives the
// certificate's retention, and etcd deletes it when the lease ends. prune()
// has nothing to do.
import type { Etcd3, IKeyValue } from 'etcd3';
import { encodeBase64url } from '../../core/base64url.js';
import { sha256 } from '../../core/digest.js';
import { IoError } from '../../core/errors.js';
import type { ConsumeResult, ReplayLedger, UseClaim } from '../../core/ports/ledger.js';
import { LeaseBuckets } from './lease-buckets.js';
import { keyUnder } from './keys.js';

interface Entry {
  readonly iss: string;
  readonly jti: string;
  readonly used: number;
  readonly allowed: number;
}

export interface EtcdLedgerOptions {
  /** Key prefix shared by the brokers of one deployment, e.g. /seb. */
  readonly prefix: string;
  readonly clock?: () => number;
}

export class EtcdLedger implements ReplayLedger {
  private readonly leases: LeaseBuckets;

  constructor(
    private readonly client: Etcd3,
    private readonly options: EtcdLedgerOptions,
  ) {
    this.leases = new LeaseBuckets(client, options.clock ?? Date.now);
  }

  async consume(claim: UseClaim): Promise<ConsumeResult> {
    const key = ledgerKey(this.options.prefix, claim.issuer, claim.jti);
    const lease = await this.leases.covering(claim.retainUntilMs);
    // Guess "no entry yet" first: a first use then takes one round trip, and a
    // replay learns the entry from the same failed transaction.
    let seen: { readonly modRevision: string; readonly entry: Entry | undefined } = { modRevision: '0', entry: undefined };
    // Each failed compare means another broker's put committed, so a consumer
    // loses at most `allowed` times before it reads "exhausted". The bound
    // only guards against entries deleted and recreated under it.
    const attempts = claim.uses + 2;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const used = seen.entry?.used ?? 0;
      const allowed = seen.entry?.allowed ?? claim.uses;
      if (used >= allowed) return 'exhausted';
      const next: Entry = { iss: claim.issuer, jti: claim.jti, used: used + 1, allowed };
      const result = await this.client.kv
        .txn({
          compare: [{ key, target: 'Mod', result: 'Equal', mod_revision: seen.modRevision }],
          success: [{ request_put: { key, value: Buffer.from(JSON.stringify(next)), lease } }],
          failure: [{ request_range: { key } }],
        })
        .catch((error: unknown) => {
          throw new IoError(`etcd ledger: consume of ${claim.jti} has an unknown result: ${(error as Error).message}`, { cause: error });
        });
      if (result.succeeded) return 'consumed';
      const kv = result.responses[0]?.response_range.kvs[0];
      seen = kv === undefined ? { modRevision: '0', entry: undefined } : { modRevision: kv.mod_revision, entry: readEntry(kv, claim) };
    }
    throw new IoError(`etcd ledger: ${claim.jti} changed under ${attempts} consecutive attempts`);
  }

  /** Nothing to do: etcd drops each entry when its lease ends. */
  async prune(): Promise<number> {
    return 0;
  }

  /** The client belongs to whoever made it; only the lease cache is ours. */
  async close(): Promise<void> {
    this.leases.clear();
  }
}

/** Issuer and jti are hashed together (JSON keeps the pair unambiguous), so no byte of either can shape the key. */
export function ledgerKey(prefix: string, issuer: string, jti: string): Buffer {
  return keyUnder(prefix, 'ledger', encodeBase64url(sha256(JSON.stringify([issuer, jti]))));
}

function readEntry(kv: IKeyValue, claim: UseClaim): Entry {
  let entry: unknown;
  try {
    entry = JSON.parse(kv.value.toString('utf8'));
  } catch {
    entry = undefined;
  }
  const e = entry as Partial<Entry> | undefined;
  const count = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  // A hash collision or a foreign writer under our prefix: refuse rather than guess.
  if (e?.iss !== claim.issuer || e.jti !== claim.jti || !count(e.used) || !count(e.allowed)) {
    throw new IoError(`etcd ledger: entry ${kv.key.toString()} is not a ledger entry for ${claim.jti}`);
  }
  return e as Entry;
}
