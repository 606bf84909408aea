// From settings to a running broker: keys, record log (one writer: a second
// process is refused here), ledger and revocation view, and platform
// adapters. With `etcd` set, the ledger and the revocation feed (policy epoch
// included) are the cluster's, shared by every broker of the deployment; with
// `ledger` naming the record log's file, the ledger is a table of the log
// (SqliteRecordLog#replayLedger), made durable by the log's syncs. The
// broker signs an intent into the record log before each mint, which is what
// reconcile() reads after a crash.
import type { Etcd3 } from 'etcd3';
import { Broker, type BrokerConfig } from '../broker.js';
import { BrokenBroker, type TestBreak } from '../test-break.js';
import { ConfigError } from '../core/errors.js';
import { trustIssuers } from '../core/issuer-keys.js';
import { importKeySet, importPrivateJwk } from '../core/keys.js';
import type { ReplayLedger } from '../core/ports/ledger.js';
import type { RevocationSource } from '../core/ports/revocation.js';
import { readJsonFile } from '../files.js';
import { reconcile, type ReconcilableAdapter, type Reconciled } from '../reconcile.js';
import { SqliteLedger } from '../stores/sqlite/ledger.js';
import { SqliteRecordLog } from '../stores/sqlite/record-log.js';
import { staticRevocation } from '../stores/static/revocation.js';
import type { BrokerSettings } from './broker-config.js';

export interface AssembledBroker {
  readonly broker: Broker;
  readonly log: SqliteRecordLog;
  /** Ends every allow a crash left without an outcome; call once, before serving. */
  reconcile(): Promise<readonly Reconciled[]>;
  close(): Promise<void>;
}

export async function assembleBroker(
  settings: BrokerSettings,
  platforms: readonly ReconcilableAdapter[],
  options: { clock?: () => number; revocation?: RevocationSource; /** The validator's tests only (test-break.ts). */ testBreak?: TestBreak } = {},
): Promise<AssembledBroker> {
  const clock = options.clock ?? Date.now;
  const trust = trustIssuers(
    settings.issuers.map((i) => [i.name, importKeySet(readJsonFile(i.keys, `keys of issuer ${i.name}`), `keys of issuer ${i.name} (${i.keys})`)] as const),
    'issuers',
  );
  const key = importPrivateJwk(readJsonFile(settings.brokerKey, 'brokerKey'), `brokerKey ${settings.brokerKey}`);
  // The log first: it admits one writer, so a second process on these settings stops here, before it touches anything.
  const log = SqliteRecordLog.open(settings.recordLog, { broker: settings.id, key, now: clock });
  let state: Awaited<ReturnType<typeof openState>>;
  try {
    state = await openState(settings, clock, options.revocation, log);
  } catch (error) {
    void log.close();
    throw error;
  }
  const { ledger, revocation, etcd } = state;
  const config: BrokerConfig = {
    id: settings.id,
    policy: {
      trust,
      audience: settings.audience,
      sharedLedgerAudiences: new Set(settings.sharedLedgerAudiences),
      maxLifetimeS: settings.maxLifetimeS,
      maxSkewS: settings.maxSkewS,
    },
    state: () => {
      // Epoch and revocations from one snapshot of the feed; a feed that publishes no epoch leaves the configured one.
      const view = revocation.view();
      return { policyEpoch: view.policyEpoch ?? settings.policyEpoch, revocation: view };
    },
    ledger,
    log,
    platforms,
    clock,
  };
  const broker = options.testBreak === undefined ? new Broker(config) : new BrokenBroker(config, options.testBreak);
  // Denials before the signature verified are counted, and written as one tally record per interval.
  const tallyTimer = setInterval(() => void broker.flushTally().catch(() => undefined), settings.tallyIntervalS * 1000);
  tallyTimer.unref();
  return {
    broker,
    log,
    reconcile: () => reconcile({ log, platforms }),
    async close() {
      clearInterval(tallyTimer);
      await broker.flushTally().catch(() => undefined);
      await revocation.close();
      await log.close();
      await ledger.close();
      etcd?.close();
    },
  };
}

/** The replay ledger and the revocation view: the broker's own, or with `etcd` the ones it shares (its client loaded only then). */
async function openState(
  settings: BrokerSettings,
  clock: () => number,
  revocation: RevocationSource | undefined,
  log: SqliteRecordLog,
): Promise<{ ledger: ReplayLedger; revocation: RevocationSource; etcd?: Etcd3 }> {
  const shared = settings.etcd;
  if (shared !== undefined) {
    const { openSharedState } = await import('../stores/etcd/shared-state.js');
    return openSharedState({
      connection: { endpoints: shared.endpoints, tls: { ca: shared.ca, cert: shared.cert, key: shared.key }, timeoutMs: shared.timeoutMs },
      prefix: shared.prefix,
      maxAgeMs: settings.revocation.maxAgeMs,
      clock,
      ...(revocation === undefined ? {} : { revocation }),
    });
  }
  // readSettings requires one of the two; settings built by hand may not.
  if (settings.ledger === undefined) throw new ConfigError('ledger', 'must be set when etcd is not');
  const ledger = settings.ledger === settings.recordLog ? log.replayLedger() : new SqliteLedger(settings.ledger);
  return { ledger, revocation: revocation ?? staticRevocation(settings.revocation, clock) };
}
