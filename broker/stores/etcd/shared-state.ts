// The state many brokers share on one etcd cluster: the replay ledger and the
// revocation feed (policy epoch included). Loaded only by a broker whose
// settings name etcd: the client and its gRPC stack add about 27 MiB of RSS.
import type { Etcd3 } from 'etcd3';
import type { ReplayLedger } from '../../core/ports/ledger.js';
import type { RevocationSource } from '../../core/ports/revocation.js';
import { connectEtcd, type EtcdConnection } from './client.js';
import { EtcdLedger } from './ledger.js';
import { EtcdRevocationSource } from './revocation.js';

export interface SharedStateOptions {
  readonly connection: EtcdConnection;
  readonly prefix: string;
  /** The revocation view's staleness bound. */
  readonly maxAgeMs: number;
  readonly clock: () => number;
  /** A revocation source given by the caller (tests), instead of the cluster's feed. */
  readonly revocation?: RevocationSource;
}

export function openSharedState(o: SharedStateOptions): { etcd: Etcd3; ledger: ReplayLedger; revocation: RevocationSource } {
  const etcd = connectEtcd(o.connection);
  return {
    etcd,
    ledger: new EtcdLedger(etcd, { prefix: o.prefix, clock: o.clock }),
    revocation: o.revocation ?? EtcdRevocationSource.start(etcd, { prefix: o.prefix, maxAgeMs: o.maxAgeMs, clock: o.clock }),
  };
}
