// Credentials that change while the broker runs: exec credential plugins
// (client.authentication.k8s.io ExecCredential, what EKS, GKE and AKS
// kubeconfigs use), token files (rotated by the kubelet for ServiceAccount
// tokens), and a pod's in-cluster ServiceAccount. Each is a CredentialSource:
// the client asks it for the current credential before a request and tells
// it when the API server answered 401, so the next ask fetches a fresh one.
// Static credentials never come here: they stay on the client's fast path.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ConfigError, IoError } from '../../core/errors.js';
import { isJsonObject, type JsonValue } from '../../core/strict-json.js';

/** A credential the client can use as it is (mirrors client.ts's Credential, which imports this module's source type). */
export type StaticCredential = { readonly kind: 'cert'; readonly cert: Buffer; readonly key: Buffer } | { readonly kind: 'token'; readonly token: string };

export interface CredentialSource {
  /** What this source is, for error messages ("exec plugin aws", "token file /x"). */
  readonly description: string;
  /** The current credential: cached while valid, fetched again once expired or invalidated. */
  current(): Promise<StaticCredential>;
  /** The API server refused `used` (401): forget it, unless a newer one already replaced it. */
  invalidate(used: StaticCredential): void;
}

/** A credential and when it stops being valid (epoch ms); undefined: until the server refuses it. */
export interface Issued {
  readonly credential: StaticCredential;
  readonly expiresAt?: number;
}

/**
 * Caches what `fetch` issued until it expires or is invalidated. Concurrent
 * callers during a fetch share it, so an expiry under load runs the plugin
 * once, not once per request.
 */
export class CachedSource implements CredentialSource {
  private cached: Issued | undefined;
  private pending: Promise<Issued> | undefined;

  constructor(
    readonly description: string,
    private readonly fetch: () => Promise<Issued>,
    private readonly now: () => number = Date.now,
  ) {}

  async current(): Promise<StaticCredential> {
    const cached = this.cached;
    if (cached !== undefined && !isExpired(cached, this.now())) return cached.credential;
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    const issued = await this.pending;
    this.cached = issued;
    return issued.credential;
  }

  invalidate(used: StaticCredential): void {
    if (this.cached?.credential === used) this.cached = undefined;
  }
}

export function isExpired(issued: Issued, now: number): boolean {
  return issued.expiresAt !== undefined && now >= issued.expiresAt;
}

// --- exec credential plugins -------------------------------------------------

export const EXEC_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'] as const;

export interface ExecPluginConfig {
  readonly apiVersion: (typeof EXEC_API_VERSIONS)[number];
  /** An absolute path, a name looked up on PATH, or a path relative to the kubeconfig (resolved by the caller). */
  readonly command: string;
  readonly args: readonly string[];
  /** Added to the broker's environment for the plugin. */
  readonly env: Readonly<Record<string, string>>;
  /** Sent to the plugin in KUBERNETES_EXEC_INFO when the kubeconfig asks for it (provideClusterInfo). */
  readonly cluster?: { readonly server: string; readonly 'certificate-authority-data'?: string };
}

/** Above any plugin's answer; a guard against a runaway one. */
const MAX_PLUGIN_OUTPUT = 1024 * 1024;
const PLUGIN_TIMEOUT_MS = 30_000;

/** Reads an exec section of a kubeconfig user. `fail` throws a ConfigError naming the kubeconfig. */
export function readExecConfig(exec: unknown, fail: (message: string) => never): Omit<ExecPluginConfig, 'cluster'> & { provideClusterInfo: boolean } {
  if (!isRecord(exec)) return fail('exec must be a mapping');
  const allowed = ['apiVersion', 'command', 'args', 'env', 'installHint', 'provideClusterInfo', 'interactiveMode'];
  for (const key of Object.keys(exec)) if (!allowed.includes(key)) fail(`exec: ${key} is not supported`);
  const apiVersion = exec.apiVersion;
  if (!EXEC_API_VERSIONS.includes(apiVersion as ExecPluginConfig['apiVersion'])) {
    fail(`exec: apiVersion must be one of ${EXEC_API_VERSIONS.join(', ')}`);
  }
  if (typeof exec.command !== 'string' || exec.command === '') fail('exec: command must be a non-empty string');
  // The broker runs unattended: a plugin that must ask a person would hang it.
  if (exec.interactiveMode === 'Always') fail('exec: interactiveMode Always needs a terminal; the broker has none');
  const args = exec.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) fail('exec: args must be a list of strings');
  const env: Record<string, string> = {};
  const entries = exec.env ?? [];
  if (!Array.isArray(entries)) fail('exec: env must be a list of {name, value}');
  for (const e of entries as unknown[]) {
    if (!isRecord(e) || typeof e.name !== 'string' || e.name === '' || typeof e.value !== 'string') fail('exec: env must be a list of {name, value}');
    env[(e as { name: string }).name] = (e as { value: string }).value;
  }
  if (exec.provideClusterInfo !== undefined && typeof exec.provideClusterInfo !== 'boolean') fail('exec: provideClusterInfo must be true or false');
  return {
    apiVersion: apiVersion as ExecPluginConfig['apiVersion'],
    command: exec.command as string,
    args: args as string[],
    env,
    provideClusterInfo: exec.provideClusterInfo === true,
  };
}

/** The ExecCredential a plugin printed: its token or client certificate, and its expiry. */
export function parseExecCredential(stdout: string, apiVersion: string, where: string): Issued {
  const fail = (message: string): never => {
    throw new IoError(`${where}: ${message}`);
  };
  let doc: JsonValue;
  try {
    doc = JSON.parse(stdout) as JsonValue;
  } catch {
    return fail('did not print JSON');
  }
  if (!isJsonObject(doc)) return fail('did not print a JSON object');
  if (doc.kind !== 'ExecCredential') return fail(`printed kind ${JSON.stringify(doc.kind)}, not ExecCredential`);
  if (doc.apiVersion !== apiVersion) return fail(`printed apiVersion ${JSON.stringify(doc.apiVersion)}, not ${apiVersion}`);
  const status = doc.status;
  if (!isJsonObject(status)) return fail('printed no status');
  const token = status.token;
  const cert = status.clientCertificateData;
  const key = status.clientKeyData;
  let credential: StaticCredential;
  if (cert !== undefined || key !== undefined) {
    if (typeof cert !== 'string' || cert === '' || typeof key !== 'string' || key === '') return fail('clientCertificateData and clientKeyData come together, as PEM text');
    if (token !== undefined) return fail('printed both a token and a client certificate');
    credential = { kind: 'cert', cert: Buffer.from(cert), key: Buffer.from(key) };
  } else if (typeof token === 'string' && token !== '') {
    credential = { kind: 'token', token };
  } else {
    return fail('printed neither status.token nor a client certificate');
  }
  const expiry = status.expirationTimestamp;
  if (expiry === undefined) return { credential };
  const expiresAt = typeof expiry === 'string' && RFC3339.test(expiry) ? Date.parse(expiry) : Number.NaN;
  if (Number.isNaN(expiresAt)) return fail(`status.expirationTimestamp ${JSON.stringify(expiry)} is not an RFC 3339 time`);
  return { credential, expiresAt };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Runs the plugin the way kubectl does: its environment plus the kubeconfig's, and KUBERNETES_EXEC_INFO. */
export function runExecPlugin(config: ExecPluginConfig): Promise<Issued> {
  const where = `exec plugin ${config.command}`;
  const info = { apiVersion: config.apiVersion, kind: 'ExecCredential', spec: { interactive: false, ...(config.cluster === undefined ? {} : { cluster: config.cluster }) } };
  const env = { ...process.env, ...config.env, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  return new Promise((resolve, reject) => {
    execFile(config.command, [...config.args], { env, timeout: PLUGIN_TIMEOUT_MS, maxBuffer: MAX_PLUGIN_OUTPUT, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error !== null) {
        const said = stderr.trim().split('\n').at(-1)?.slice(0, 300) ?? '';
        reject(new IoError(`${where} failed: ${error.killed ? `no answer within ${PLUGIN_TIMEOUT_MS} ms` : error.message.split('\n')[0]}${said === '' ? '' : `: ${said}`}`));
        return;
      }
      try {
        resolve(parseExecCredential(stdout, config.apiVersion, where));
      } catch (e) {
        reject(e);
      }
    });
  });
}

export function execSource(config: ExecPluginConfig, now?: () => number): CredentialSource {
  return new CachedSource(`exec plugin ${config.command}`, () => runExecPlugin(config), now);
}

// --- token files and in-cluster ServiceAccounts -------------------------------

/** The kubelet rotates projected tokens well before they expire; re-reading each minute is what client-go does. */
export const TOKEN_FILE_REREAD_MS = 60_000;

export function tokenFileSource(path: string, now: () => number = Date.now, readFile: (p: string) => Buffer = readFileSync): CredentialSource {
  const source = `token file ${path}`;
  return new CachedSource(
    source,
    async () => {
      let token: string;
      try {
        token = readFile(path).toString('utf8').trim();
      } catch (error) {
        throw new IoError(`${source} cannot be read: ${(error as Error).message}`);
      }
      if (token === '') throw new IoError(`${source} is empty`);
      return { credential: { kind: 'token', token }, expiresAt: now() + TOKEN_FILE_REREAD_MS };
    },
    now,
  );
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface InClusterConfig {
  readonly server: string;
  readonly ca: Buffer;
  readonly source: CredentialSource;
  readonly namespace: string | undefined;
}

/**
 * A pod's own ServiceAccount: the API server from KUBERNETES_SERVICE_HOST and
 * _PORT, the CA and rotating token from the mounted directory (`dir` for
 * tests). Throws a ConfigError when not in a pod.
 */
export function inClusterConfig(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR, now?: () => number): InClusterConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (host === undefined || host === '' || port === undefined || port === '') {
    throw new ConfigError('in-cluster credentials', 'KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set (not running in a pod)');
  }
  if (!/^\d{1,5}$/.test(port)) throw new ConfigError('in-cluster credentials', `KUBERNETES_SERVICE_PORT ${JSON.stringify(port)} is not a port`);
  const read = (name: string): Buffer => {
    try {
      return readFileSync(`${dir}/${name}`);
    } catch (error) {
      throw new ConfigError('in-cluster credentials', `${dir}/${name} cannot be read: ${(error as Error).message}`);
    }
  };
  const ca = read('ca.crt');
  read('token'); // fail now, at start, rather than on the first request
  let namespace: string | undefined;
  try {
    namespace = readFileSync(`${dir}/namespace`, 'utf8').trim() || undefined;
  } catch {
    namespace = undefined;
  }
  // An IPv6 service address needs brackets in a URL.
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return { server, ca, source: tokenFileSource(`${dir}/token`, now), namespace };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
