// From settings to a running broker: keys, ledger, record log, revocation
// view and platform adapters, opened in that order and closed in reverse.
import { Broker } from '../broker.js';
import { importKeySet, importPrivateJwk } from '../core/keys.js';
import type { PlatformAdapter } from '../core/ports/platform.js';
import type { RevocationSource } from '../core/ports/revocation.js';
import { readJsonFile } from '../files.js';
import { SqliteLedger } from '../stores/sqlite/ledger.js';
import { SqliteRecordLog } from '../stores/sqlite/record-log.js';
import { staticRevocation } from '../stores/static/revocation.js';
import type { BrokerSettings } from './broker-config.js';

export interface AssembledBroker {
  readonly broker: Broker;
  readonly log: SqliteRecordLog;
  close(): Promise<void>;
}

export function assembleBroker(
  settings: BrokerSettings,
  platforms: readonly PlatformAdapter[],
  options: { clock?: () => number; revocation?: RevocationSource } = {},
): AssembledBroker {
  const clock = options.clock ?? Date.now;
  const keys = importKeySet(readJsonFile(settings.trustedKeys, 'trustedKeys'), `trustedKeys ${settings.trustedKeys}`);
  const key = importPrivateJwk(readJsonFile(settings.brokerKey, 'brokerKey'), `brokerKey ${settings.brokerKey}`);
  const ledger = new SqliteLedger(settings.ledger);
  const log = SqliteRecordLog.open(settings.recordLog, { broker: settings.id, key, now: clock });
  const revocation = options.revocation ?? staticRevocation(settings.revocation, clock);
  const broker = new Broker({
    id: settings.id,
    policy: { keys, issuers: new Set(settings.issuers), audience: settings.audience, maxLifetimeS: settings.maxLifetimeS, maxSkewS: settings.maxSkewS },
    state: () => ({ policyEpoch: settings.policyEpoch, revocation: revocation.view() }),
    ledger,
    log,
    platforms,
    clock,
  });
  return {
    broker,
    log,
    async close() {
      await revocation.close();
      await log.close();
      await ledger.close();
    },
  };
}
