// The broker's configuration file (JSON or YAML): every setting on an
// allowlist, checked at start, with an error that names the setting. Paths
// are resolved against the file's folder.
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { JTI_PATTERN } from '../core/certificate/claims.js';
import { ConfigError, IoError } from '../core/errors.js';
import { readTextFile } from '../files.js';
import { DEFAULT_MAX_LIFETIME_S, DEFAULT_MAX_SKEW_S, DEFAULT_REVOCATION_MAX_AGE_MS, MAX_SKEW_S } from '../core/predicates/context.js';
import { DEFAULT_ETCD_TIMEOUT_MS } from '../stores/etcd/defaults.js';
import { DEFAULT_ETCD_PREFIX, PREFIX_PATTERN } from '../stores/etcd/keys.js';
import { EXECUTOR_MODES, type ExecutorMode } from '../platforms/kubernetes/executor.js';

/** The shared state backend of many brokers: replay ledger and revocation feed on one etcd cluster. */
export interface EtcdSettings {
  readonly endpoints: readonly string[];
  /** PEM files: the cluster's CA, this broker's client certificate and key. */
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** Key prefix shared by the brokers of one deployment. */
  readonly prefix: string;
  /** Deadline of each etcd call (ms); below revocation.maxAgeMs, the staleness bound. */
  readonly timeoutMs: number;
}

/** A trusted issuer and the JWKS of its own keys: a key signs for its issuer only. */
export interface IssuerSettings {
  readonly name: string;
  readonly keys: string;
}

export interface BrokerSettings {
  readonly id: string;
  readonly issuers: readonly IssuerSettings[];
  readonly audience: string;
  /** Other audiences whose brokers share this broker's replay ledger; a certificate may name them beside ours. */
  readonly sharedLedgerAudiences: readonly string[];
  /** The broker's private JWK: signs records. */
  readonly brokerKey: string;
  /**
   * The SQLite replay ledger; absent when `etcd` holds the ledger. The same
   * file as `recordLog` keeps it in the record log's database, for a broker
   * that alone spends its uses (a consume is made durable by the sync of the
   * decision record that follows it, not by one of its own); a file
   * of its own may be shared by several brokers. Moving the ledger forgets
   * the uses spent in the old place: move it when no certificate is valid.
   */
  readonly ledger?: string;
  readonly recordLog: string;
  /** When set, the replay ledger and the revocation feed (with the policy epoch) live in etcd. */
  readonly etcd?: EtcdSettings;
  readonly maxLifetimeS: number;
  readonly maxSkewS: number;
  /** Seconds between tally records of denials before the signature verified (written only when there were some). */
  readonly tallyIntervalS: number;
  /** Per client (mTLS certificate, else address): requests per second sustained, and the burst above it; absent, no limit. */
  readonly rateLimit?: { readonly perSecond: number; readonly burst: number };
  readonly policyEpoch: number;
  readonly revocation: { readonly floor: number; readonly revoked: readonly string[]; readonly maxAgeMs: number };
  /** target.json: which platforms to mutate, and as whom. */
  readonly target?: string;
  readonly kubernetes: { readonly mode: ExecutorMode };
  readonly listen: { readonly host: string; readonly port: number };
  readonly tls?: { readonly cert: string; readonly key: string; readonly clientCa?: string };
}

const TOP = ['id', 'issuers', 'audience', 'sharedLedgerAudiences', 'trustedKeys', 'brokerKey', 'ledger', 'recordLog', 'etcd', 'maxLifetimeS', 'maxSkewS', 'tallyIntervalS', 'rateLimit', 'policyEpoch', 'revocation', 'target', 'kubernetes', 'listen', 'tls'];

type Raw = Record<string, unknown>;

export function loadBrokerSettings(path: string): BrokerSettings {
  // A regular file only (a FIFO would block the start), of bounded size.
  const text = readTextFile(path, 'config');
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    throw new ConfigError(path, `not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  return readSettings(raw, dirname(resolve(path)), path);
}

export function readSettings(raw: unknown, baseDir: string, where: string): BrokerSettings {
  const r = object(raw, where, TOP);
  const at = (name: string) => `${where}: ${name}`;
  const file = (name: string, v: unknown) => {
    const p = string(v, at(name));
    return isAbsolute(p) ? p : resolve(baseDir, p);
  };
  const revocation = object(r.revocation ?? {}, at('revocation'), ['floor', 'revoked', 'maxAgeMs']);
  const kubernetes = object(r.kubernetes ?? {}, at('kubernetes'), ['mode']);
  const listen = object(r.listen ?? {}, at('listen'), ['host', 'port']);
  const revoked = r.revocation === undefined ? [] : (revocation.revoked ?? []);
  if (!Array.isArray(revoked) || !revoked.every((j) => typeof j === 'string' && JTI_PATTERN.test(j))) {
    throw new ConfigError(at('revocation.revoked'), 'must be a list of certificate ids');
  }
  const mode = kubernetes.mode ?? 'impersonation';
  if (!EXECUTOR_MODES.includes(mode as ExecutorMode)) throw new ConfigError(at('kubernetes.mode'), `must be one of ${EXECUTOR_MODES.join(', ')}`);
  const issuers = issuerSettings(r, at, file);
  const tls = r.tls === undefined ? undefined : object(r.tls, at('tls'), ['cert', 'key', 'clientCa']);
  const maxAgeMs = integer(revocation.maxAgeMs ?? DEFAULT_REVOCATION_MAX_AGE_MS, at('revocation.maxAgeMs'), 1);
  const etcd = r.etcd === undefined ? undefined : etcdSettings(object(r.etcd, at('etcd'), ['endpoints', 'ca', 'cert', 'key', 'prefix', 'timeoutMs']), at, file, maxAgeMs);
  // One replay ledger: a broker with two would let a use be spent once in each.
  if (etcd === undefined && r.ledger === undefined) throw new ConfigError(at('ledger'), 'must be a non-empty string (or set etcd for a ledger shared by many brokers)');
  if (etcd !== undefined && r.ledger !== undefined) throw new ConfigError(at('ledger'), 'not used with etcd, which holds the replay ledger; remove it');
  if (etcd !== undefined && (revocation.floor !== undefined || revocation.revoked !== undefined)) {
    throw new ConfigError(at(revocation.floor !== undefined ? 'revocation.floor' : 'revocation.revoked'), 'not used with etcd, whose feed carries the revocations; remove it');
  }
  const recordLog = file('recordLog', r.recordLog);
  const ledger = r.ledger === undefined ? undefined : file('ledger', r.ledger);
  const sharedLedgerAudiences = stringList(r.sharedLedgerAudiences ?? [], at('sharedLedgerAudiences'));
  // Another broker could spend these uses only by writing into this broker's record log.
  if (ledger === recordLog && sharedLedgerAudiences.length > 0) {
    throw new ConfigError(at('sharedLedgerAudiences'), "a ledger in the record log's file is this broker's alone; give a shared ledger a file of its own");
  }
  return {
    id: r.id === undefined ? 'seb-1' : string(r.id, at('id')),
    issuers,
    audience: string(r.audience, at('audience')),
    sharedLedgerAudiences,
    brokerKey: file('brokerKey', r.brokerKey),
    ...(ledger === undefined ? {} : { ledger }),
    recordLog,
    ...(etcd === undefined ? {} : { etcd }),
    maxLifetimeS: integer(r.maxLifetimeS ?? DEFAULT_MAX_LIFETIME_S, at('maxLifetimeS'), 1),
    maxSkewS: integer(r.maxSkewS ?? DEFAULT_MAX_SKEW_S, at('maxSkewS'), 0, MAX_SKEW_S),
    tallyIntervalS: integer(r.tallyIntervalS ?? DEFAULT_TALLY_INTERVAL_S, at('tallyIntervalS'), 1, 3600),
    ...(r.rateLimit === undefined ? {} : { rateLimit: rateLimitSettings(object(r.rateLimit, at('rateLimit'), ['perSecond', 'burst']), at) }),
    policyEpoch: integer(r.policyEpoch ?? 0, at('policyEpoch'), 0),
    revocation: {
      floor: integer(revocation.floor ?? 0, at('revocation.floor'), 0),
      revoked: revoked as string[],
      maxAgeMs,
    },
    ...(r.target === undefined ? {} : { target: file('target', r.target) }),
    kubernetes: { mode: mode as ExecutorMode },
    listen: {
      host: listen.host === undefined ? '127.0.0.1' : string(listen.host, at('listen.host')),
      port: integer(listen.port ?? 8080, at('listen.port'), 0, 65535),
    },
    ...(tls === undefined
      ? {}
      : { tls: { cert: file('tls.cert', tls.cert), key: file('tls.key', tls.key), ...(tls.clientCa === undefined ? {} : { clientCa: file('tls.clientCa', tls.clientCa) }) } }),
  };
}

/**
 * `issuers: [{name, keys}]`, each issuer with its own JWKS; or, for one
 * issuer, `issuers: [name]` with `trustedKeys`. Several names sharing one
 * `trustedKeys` would let any of them sign as another, so that is refused.
 */
function issuerSettings(r: Raw, at: (name: string) => string, file: (name: string, v: unknown) => string): IssuerSettings[] {
  const list = r.issuers;
  if (!Array.isArray(list) || list.length === 0) throw new ConfigError(at('issuers'), 'must be a non-empty list of issuers');
  if (list.every((i) => typeof i === 'string')) {
    if (list.length > 1) throw new ConfigError(at('issuers'), 'several issuers each need their own keys: issuers: [{name: ISS, keys: JWKS}, ...]');
    if (r.trustedKeys === undefined) throw new ConfigError(at('trustedKeys'), 'must be a non-empty string (the JWKS of the issuer)');
    return [{ name: string(list[0], at('issuers[0]')), keys: file('trustedKeys', r.trustedKeys) }];
  }
  if (r.trustedKeys !== undefined) throw new ConfigError(at('trustedKeys'), 'not used when each issuer names its keys; remove it');
  const issuers = list.map((entry, i) => {
    const o = object(entry, at(`issuers[${i}]`), ['name', 'keys']);
    return { name: string(o.name, at(`issuers[${i}].name`)), keys: file(`issuers[${i}].keys`, o.keys) };
  });
  const names = issuers.map((i) => i.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new ConfigError(at('issuers'), `issuer ${JSON.stringify(twice)} named twice`);
  return issuers;
}

export const DEFAULT_TALLY_INTERVAL_S = 60;
/** Bounds of a rate limit: below, a client could never send a request; above, the limit limits nothing. */
export const RATE_LIMIT_MAX = 100_000;

function rateLimitSettings(o: Raw, at: (name: string) => string): { perSecond: number; burst: number } {
  const perSecond = integer(o.perSecond, at('rateLimit.perSecond'), 1, RATE_LIMIT_MAX);
  return { perSecond, burst: integer(o.burst ?? perSecond, at('rateLimit.burst'), 1, RATE_LIMIT_MAX) };
}

function stringList(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && s.length > 0)) throw new ConfigError(what, 'must be a list of non-empty strings');
  return v as string[];
}

function etcdSettings(e: Raw, at: (name: string) => string, file: (name: string, v: unknown) => string, maxAgeMs: number): EtcdSettings {
  const endpoints = e.endpoints;
  if (!Array.isArray(endpoints) || endpoints.length === 0 || !endpoints.every(isEndpoint)) {
    throw new ConfigError(at('etcd.endpoints'), 'must be a non-empty list of https://host:port URLs (the brokers reach etcd over mutual TLS)');
  }
  const prefix = e.prefix === undefined ? DEFAULT_ETCD_PREFIX : string(e.prefix, at('etcd.prefix'));
  if (!PREFIX_PATTERN.test(prefix)) throw new ConfigError(at('etcd.prefix'), 'must be an absolute key path such as /seb, without a trailing slash');
  return {
    endpoints: endpoints as string[],
    ca: file('etcd.ca', e.ca),
    cert: file('etcd.cert', e.cert),
    key: file('etcd.key', e.key),
    prefix,
    // A call that may take the whole bound could never keep the revocation view current.
    timeoutMs: integer(e.timeoutMs ?? Math.min(DEFAULT_ETCD_TIMEOUT_MS, maxAgeMs - 1), at('etcd.timeoutMs'), 1, maxAgeMs - 1),
  };
}

function isEndpoint(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    const url = new URL(v);
    return url.protocol === 'https:' && url.port !== '' && url.pathname === '/' && url.search === '' && !v.endsWith('/');
  } catch {
    return false;
  }
}

function object(v: unknown, what: string, allowed: readonly string[]): Raw {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(what, 'must be a mapping');
  for (const name of Object.keys(v)) {
    // Top level reads "file: name", nested settings "file: outer.name".
    const setting = what.includes(': ') ? `${what}.${name}` : `${what}: ${name}`;
    if (!allowed.includes(name)) throw new ConfigError(setting, `unknown setting (known: ${allowed.join(', ')})`);
  }
  return v as Raw;
}

function string(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0) throw new ConfigError(what, 'must be a non-empty string');
  return v;
}

function integer(v: unknown, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new ConfigError(what, `must be an integer from ${min} to ${max}`);
  return v;
}
