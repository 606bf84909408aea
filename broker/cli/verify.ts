// `seb verify`: the offline verifier, and the command-line contract that
// fuzzers and other verifiers speak (see seb fuzz --against).
import { InvalidInputError, UsageError } from '../core/errors.js';
import { trustIssuers, type IssuerTrust } from '../core/issuer-keys.js';
import { importKeySet, importPrivateJwk } from '../core/keys.js';
import { MAX_REQUEST_BYTES } from '../core/limits.js';
import { DEFAULT_MAX_LIFETIME_S, DEFAULT_MAX_SKEW_S, DEFAULT_REVOCATION_MAX_AGE_MS, MAX_SKEW_S } from '../core/predicates/context.js';
import { JTI_PATTERN } from '../core/certificate/claims.js';
import type { JsonValue } from '../core/strict-json.js';
import { deny } from '../core/reasons.js';
import { decide, givenLiveState, type Decided } from '../decide.js';
import { decisionRecordInput } from '../decision-record.js';
import { SqliteRecordLog } from '../stores/sqlite/record-log.js';
import { SqliteLedger } from '../stores/sqlite/ledger.js';
import { defineCommand, intFlag } from './command.js';
import { readBytesCapped, readJsonFile } from '../files.js';

export const verify = defineCommand({
  words: ['verify'],
  summary: 'Verify a request against its certificate offline; print one JSON line; exit 0 allow, 1 deny, 2 usage error.',
  flags: {
    issuer: { type: 'string', value: 'ISS', description: 'a trusted issuer; its keys are the --keys given in the same position', multiple: true },
    keys: { type: 'string', value: 'JWKS', description: 'the keys of the --issuer in the same position, {"keys":[...]}', multiple: true },
    audience: { type: 'string', value: 'AUD', description: "this broker's audience", required: true },
    'shared-ledger-audience': {
      type: 'string',
      value: 'AUD',
      description: "another audience whose broker spends uses in this ledger: a certificate may name it beside ours (any other second audience is wrong_audience)",
      multiple: true,
    },
    request: { type: 'string', value: 'FILE', description: 'request: {"certificate": JWS, "contract": {...}, "proof"?: JWS}', required: true },
    now: { type: 'string', value: 'UNIX_SECONDS', description: 'the time to judge at; default the current time' },
    'policy-epoch': { type: 'string', value: 'N', description: 'the policy epoch in force', default: '0' },
    'revocation-floor': { type: 'string', value: 'N', description: 'certificates with rep below this are revoked', default: '0' },
    revoked: { type: 'string', value: 'FILE', description: 'JSON array of revoked jti' },
    ledger: { type: 'string', value: 'FILE', description: 'SQLite replay ledger: consume a use (a second verify of a single-use certificate is replayed)' },
    'live-state': { type: 'string', value: 'FILE', description: 'live state, JSON: its digest is compared with pre (drift)' },
    'max-lifetime': { type: 'string', value: 'SECONDS', description: 'longest accepted exp - iat', default: String(DEFAULT_MAX_LIFETIME_S) },
    'max-skew': { type: 'string', value: 'SECONDS', description: 'tolerated clock skew at each window edge', default: String(DEFAULT_MAX_SKEW_S) },
    log: { type: 'string', value: 'FILE', description: 'SQLite record log: append the decision as a signed record', requires: 'broker-key' },
    'broker-key': { type: 'string', value: 'FILE', description: "the broker's private JWK, which signs records", requires: 'log' },
    'broker-id': { type: 'string', value: 'ID', description: 'the broker id a new log is written for', default: 'seb-verify' },
  },
  async run(flags) {
    const nowMs = (intFlag('now', flags.now, { min: 0 }) ?? Date.now() / 1000) * 1000;
    const policy = {
      trust: issuerTrust(flags.issuer, flags.keys),
      audience: flags.audience,
      sharedLedgerAudiences: new Set(flags['shared-ledger-audience']),
      maxLifetimeS: intFlag('max-lifetime', flags['max-lifetime'], { min: 1 }) ?? DEFAULT_MAX_LIFETIME_S,
      maxSkewS: skewFlag(flags['max-skew']),
    };
    const state = {
      policyEpoch: intFlag('policy-epoch', flags['policy-epoch'], { min: 0 }) ?? 0,
      // Offline, the revocation view given on the command line is current by definition.
      revocation: {
        floor: intFlag('revocation-floor', flags['revocation-floor'], { min: 0 }) ?? 0,
        revoked: flags.revoked === undefined ? new Set<string>() : readRevoked(flags.revoked),
        asOfMs: nowMs,
        maxAgeMs: DEFAULT_REVOCATION_MAX_AGE_MS,
      },
    };
    const live = flags['live-state'] === undefined ? undefined : readJsonFile(flags['live-state'], 'live state');
    const requestBytes = readBytesCapped(flags.request, 'request', MAX_REQUEST_BYTES);
    const brokerKey = flags['broker-key'] === undefined ? undefined : importPrivateJwk(readJsonFile(flags['broker-key'], 'broker key'), `broker key ${flags['broker-key']}`);
    const log = flags.log === undefined || brokerKey === undefined ? undefined : SqliteRecordLog.open(flags.log, { broker: flags['broker-id'], key: brokerKey });
    const ledger = flags.ledger === undefined ? undefined : new SqliteLedger(flags.ledger);
    try {
      const decided = await decide({
        requestBytes,
        policy,
        state,
        nowMs,
        ...(ledger === undefined ? {} : { ledger }),
        ...(live === undefined ? {} : { liveState: givenLiveState(live) }),
      });
      const recorded = log === undefined || (await recordOffline(log, decided));
      // As in the broker: an allow that could not be recorded is refused.
      const decision = recorded || decided.decision.decision === 'deny' ? decided.decision : deny('audit_unavailable', decided.decision.jti);
      process.stdout.write(`${JSON.stringify(decision)}\n`);
      return decision.decision === 'allow' ? 0 : 1;
    } finally {
      await ledger?.close();
      await log?.close();
    }
  },
});

/** The decision, and for an allow its outcome at once: verifying executes nothing, and every allow in a log has exactly one outcome. */
async function recordOffline(log: SqliteRecordLog, decided: Decided): Promise<boolean> {
  try {
    const d = await log.appendDecision(decisionRecordInput(decided));
    if (decided.decision.decision === 'allow') {
      await log.appendOutcome({ decision: { seq: d.seq, hash: d.hash }, jti: decided.decision.jti, status: 'failed', detail: 'seb verify: verified offline; nothing executed' });
    }
    return true;
  } catch {
    return false;
  }
}

function skewFlag(value: string | undefined): number {
  const skew = intFlag('max-skew', value, { min: 0 }) ?? DEFAULT_MAX_SKEW_S;
  if (skew > MAX_SKEW_S) throw new UsageError(`--max-skew: at most ${MAX_SKEW_S} seconds, got ${skew}`);
  return skew;
}

/** Each --issuer with the --keys in the same position: a key signs for its own issuer only. */
function issuerTrust(issuers: readonly string[], keyFiles: readonly string[]): IssuerTrust {
  if (issuers.length === 0 || issuers.length !== keyFiles.length) {
    throw new UsageError(`verify: give each trusted --issuer its --keys, in the same order (got ${issuers.length} --issuer, ${keyFiles.length} --keys)`);
  }
  return trustIssuers(
    issuers.map((issuer, i) => {
      const file = keyFiles[i] as string;
      return [issuer, importKeySet(readJsonFile(file, 'keys'), `keys ${file}`)] as const;
    }),
    'verify: --issuer',
  );
}

function readRevoked(path: string): Set<string> {
  const list: JsonValue = readJsonFile(path, 'revoked list');
  if (!Array.isArray(list) || !list.every((j) => typeof j === 'string' && JTI_PATTERN.test(j))) {
    throw new InvalidInputError(`revoked list ${path}: expected a JSON array of certificate ids`);
  }
  return new Set(list as string[]);
}
