// `seb audit verify`: check a record log end to end and name the first bad record.
import { UsageError } from '../core/errors.js';
import { importKeySet } from '../core/keys.js';
import { auditLog } from '../core/records/audit.js';
import { openLogForAudit } from '../stores/sqlite/record-log-reader.js';
import { readTrustedHead } from './audit-files.js';
import { defineCommand } from './command.js';
import { readJsonFile } from '../files.js';

export const auditVerify = defineCommand({
  words: ['audit', 'verify'],
  summary: 'Check a record log end to end; print one JSON line; exit 0 intact, 1 at the first bad record, 2 usage or I/O error.',
  details:
    'Checks every signature, the hash chain, the sequence, that each allow has at most one intent and exactly one outcome, ' +
    'and every signed tree head (each stored under the size it signs). ' +
    'A stopped, reconciled broker leaves no allow open; for a running one, --in-flight N lets its last N allows still await their outcome. ' +
    'Only a tree head kept outside the log (--trusted-head) reveals a log rolled back or forked together with its own heads.',
  flags: {
    log: { type: 'string', value: 'FILE', description: 'the SQLite record log', required: true },
    keys: { type: 'string', value: 'JWKS', description: "the broker's public keys, {\"keys\":[...]}; default the keys stored in the log", multiple: true },
    broker: {
      type: 'string',
      value: 'ID',
      description: 'the broker whose keys are the --keys in the same position: the log is checked only with the keys of the broker it names',
      multiple: true,
    },
    'trusted-head': { type: 'string', value: 'FILE', description: 'a tree head kept earlier (seb audit head): the log must extend it' },
    'in-flight': { type: 'string', value: 'N', description: 'how many of the last allows may still lack an outcome (a running broker); default 0' },
  },
  async run(flags) {
    const inFlight = inFlightFlag(flags['in-flight']);
    const trustedHead = flags['trusted-head'] === undefined ? undefined : readTrustedHead(flags['trusted-head']);
    const reader = openLogForAudit(flags.log);
    try {
      const keyFile = brokerKeyFile(flags.broker, flags.keys, reader.broker);
      if (keyFile === null) {
        process.stdout.write(`${JSON.stringify({ ok: false, problem: 'wrong_broker', seq: null, message: `the log is broker ${JSON.stringify(reader.broker)}'s, and no --keys are given for it` })}\n`);
        process.stderr.write(`seb audit verify: ${flags.log}: wrong_broker: no --broker ${reader.broker} among the brokers whose keys were given\n`);
        return 1;
      }
      let keys;
      if (keyFile === undefined) {
        process.stderr.write(`seb audit verify: using the public keys stored in ${flags.log}; whoever can rewrite the log can replace them (pass --keys)\n`);
        keys = importKeySet(reader.keys, `key set stored in ${flags.log}`);
      } else {
        keys = importKeySet(readJsonFile(keyFile, 'keys'), `keys ${keyFile}`);
      }
      const result = auditLog({
        broker: reader.broker,
        keys,
        entries: reader.entries(),
        treeHeads: reader.treeHeads(),
        ...(trustedHead === undefined ? {} : { trustedHead }),
        inFlight,
      });
      process.stdout.write(`${JSON.stringify(result)}\n`);
      if (result.ok) return 0;
      const where = result.seq === null ? `tree head of size ${result.treeSize ?? '?'}` : `record ${result.seq}`;
      process.stderr.write(`seb audit verify: ${flags.log}: ${where}: ${result.problem}: ${result.message}\n`);
      return 1;
    } finally {
      reader.close();
    }
  },
});

function inFlightFlag(value: string | undefined): number {
  if (value === undefined) return 0;
  if (!/^[0-9]{1,6}$/.test(value)) throw new UsageError(`--in-flight: expected a count from 0 to 999999, got ${JSON.stringify(value)}`);
  return Number(value);
}

/**
 * The key file for the log's broker: a broker's key never verifies another
 * broker's log, so with several --broker/--keys pairs only the pair naming the
 * log's broker counts (null: none does). One --keys alone is the log's
 * broker's; none at all, undefined: the keys stored in the log.
 */
function brokerKeyFile(brokers: readonly string[], keyFiles: readonly string[], logBroker: string): string | null | undefined {
  if (brokers.length === 0) {
    if (keyFiles.length > 1) throw new UsageError('audit verify: with several --keys, name the broker of each with --broker, in the same order');
    return keyFiles[0];
  }
  if (brokers.length !== keyFiles.length) throw new UsageError(`audit verify: give each --broker its --keys, in the same order (got ${brokers.length} --broker, ${keyFiles.length} --keys)`);
  if (new Set(brokers).size !== brokers.length) throw new UsageError('audit verify: a --broker is named twice');
  const i = brokers.indexOf(logBroker);
  return i < 0 ? null : (keyFiles[i] as string);
}
