// Reading a kubeconfig into what the client needs: the server, the CA to
// trust, and one credential (client certificate, bearer token, token file,
// or exec credential plugin; see credentials.ts for the last two). Only the
// subset that keeps TLS verification on is accepted; anything that would
// weaken or widen it (skip-verify, auth providers, impersonation, proxies)
// is refused by name rather than silently ignored. The name `in-cluster`
// instead of a file means the pod's own ServiceAccount.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../../core/errors.js';
import type { Credential, Endpoint } from './client.js';
import { execSource, inClusterConfig, readExecConfig, tokenFileSource } from './credentials.js';

export interface KubeConnection extends Endpoint {
  readonly credential: Credential;
  readonly context: string;
}

export interface KubeconfigSource {
  /** Where the text came from: named in every error, and the base of relative paths. */
  readonly file: string;
  /** A named context; the file's current-context otherwise. */
  readonly context?: string;
  readonly readFile?: (path: string) => Buffer;
  /** Epoch ms, for the expiry of tokens from plugins and files (tests). */
  readonly now?: () => number;
}

/** Where target.json names a kubeconfig, this name means the pod's own ServiceAccount. */
export const IN_CLUSTER = 'in-cluster';

type Entry = Record<string, unknown>;

const REFUSED_CLUSTER = ['insecure-skip-tls-verify', 'proxy-url', 'tls-server-name'] as const;
const REFUSED_USER = ['auth-provider', 'username', 'password', 'as', 'as-groups', 'as-uid', 'as-user-extra'] as const;

export function loadKubeconfig(file: string, context?: string): KubeConnection {
  if (file === IN_CLUSTER) {
    const pod = inClusterConfig();
    return { server: pod.server, ca: pod.ca, credential: { kind: 'source', source: pod.source }, context: IN_CLUSTER };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`kubeconfig ${file}`, `cannot be read: ${(error as Error).message}`);
  }
  return parseKubeconfig(text, { file, ...(context === undefined ? {} : { context }) });
}

export function parseKubeconfig(text: string, source: KubeconfigSource): KubeConnection {
  const fail = (message: string): never => {
    throw new ConfigError(`kubeconfig ${source.file}`, message);
  };
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    fail(`not YAML: ${(error as Error).message}`);
  }
  if (!isEntry(doc)) return fail('not a mapping');

  const contextName = source.context ?? str(doc['current-context']) ?? fail('no context given and no current-context');
  const context = named(doc, 'contexts', 'context', contextName, fail);
  const clusterName = str(context.cluster) ?? fail(`context ${contextName} names no cluster`);
  const userName = str(context.user) ?? fail(`context ${contextName} names no user`);
  const cluster = named(doc, 'clusters', 'cluster', clusterName, fail);
  const user = named(doc, 'users', 'user', userName, fail);
  for (const key of REFUSED_CLUSTER) if (cluster[key] !== undefined && cluster[key] !== false) fail(`cluster ${clusterName}: ${key} is not supported`);
  for (const key of REFUSED_USER) if (user[key] !== undefined) fail(`user ${userName}: ${key} is not supported`);

  const server = str(cluster.server) ?? fail(`cluster ${clusterName} has no server`);
  if (!server.startsWith('https://')) fail(`cluster ${clusterName}: server must be an https URL`);
  const readPath = (entry: Entry, what: string, key: string): Buffer | undefined => {
    const path = entry[key];
    if (path === undefined) return undefined;
    if (typeof path !== 'string' || path === '') return fail(`${what}: ${key} must be a path`);
    // Relative paths are relative to the kubeconfig, as kubectl reads them.
    const full = isAbsolute(path) ? path : resolve(dirname(source.file), path);
    try {
      return (source.readFile ?? readFileSync)(full);
    } catch (error) {
      return fail(`${what}: ${key} ${full} cannot be read: ${(error as Error).message}`);
    }
  };
  const read = (entry: Entry, what: string, key: string): Buffer | undefined => {
    const data = entry[`${key}-data`];
    if (data === undefined) return readPath(entry, what, key);
    if (entry[key] !== undefined) return fail(`${what}: both ${key} and ${key}-data are set`);
    if (typeof data !== 'string' || !/^[A-Za-z0-9+/=\s]+$/.test(data)) return fail(`${what}: ${key}-data is not base64`);
    return Buffer.from(data, 'base64');
  };

  const ca = read(cluster, `cluster ${clusterName}`, 'certificate-authority');
  const cert = read(user, `user ${userName}`, 'client-certificate');
  const key = read(user, `user ${userName}`, 'client-key');
  const token = str(user.token);
  const tokenFile = user.tokenFile === undefined ? undefined : tokenFileCredential(user.tokenFile, source, (m) => fail(`user ${userName}: ${m}`));
  const exec = user.exec === undefined ? undefined : execCredential(user.exec, source, cluster, (m) => fail(`user ${userName}: ${m}`));
  const given = [cert !== undefined || key !== undefined, token !== undefined, tokenFile !== undefined, exec !== undefined].filter(Boolean).length;
  if (given > 1) return fail(`user ${userName}: more than one of client certificate, token, tokenFile and exec; choose one`);
  let credential: Credential;
  if (cert !== undefined || key !== undefined) {
    if (cert === undefined || key === undefined) return fail(`user ${userName}: client-certificate and client-key come together`);
    credential = { kind: 'cert', cert, key };
  } else if (token !== undefined) {
    credential = { kind: 'token', token };
  } else if (tokenFile !== undefined || exec !== undefined) {
    credential = (tokenFile ?? exec) as Credential;
  } else {
    return fail(`user ${userName} has no client certificate, token, tokenFile or exec plugin`);
  }
  return { server, ...(ca === undefined ? {} : { ca }), credential, context: contextName };
}

function tokenFileCredential(path: unknown, source: KubeconfigSource, fail: (m: string) => never): Credential {
  if (typeof path !== 'string' || path === '') return fail('tokenFile must be a path');
  const full = isAbsolute(path) ? path : resolve(dirname(source.file), path);
  // Read once now, so a missing file fails at start and names the kubeconfig; re-read as it rotates.
  try {
    (source.readFile ?? readFileSync)(full);
  } catch (error) {
    return fail(`tokenFile ${full} cannot be read: ${(error as Error).message}`);
  }
  return { kind: 'source', source: tokenFileSource(full, source.now, source.readFile) };
}

function execCredential(exec: unknown, source: KubeconfigSource, cluster: Entry, fail: (m: string) => never): Credential {
  const { provideClusterInfo, ...config } = readExecConfig(exec, fail);
  // As kubectl: a command with a slash but not absolute is relative to the kubeconfig; a bare name is looked up on PATH.
  const command = config.command.includes('/') && !isAbsolute(config.command) ? resolve(dirname(source.file), config.command) : config.command;
  const ca = str(cluster['certificate-authority-data']);
  const clusterInfo = provideClusterInfo ? { cluster: { server: String(cluster.server), ...(ca === undefined ? {} : { 'certificate-authority-data': ca }) } } : {};
  return { kind: 'source', source: execSource({ ...config, command, ...clusterInfo }, source.now) };
}

function named(doc: Entry, list: string, member: string, name: string, fail: (m: string) => never): Entry {
  const entries = doc[list];
  if (!Array.isArray(entries)) return fail(`no ${list}`);
  const found = entries.filter((e): e is Entry => isEntry(e) && e.name === name);
  if (found.length !== 1) return fail(found.length === 0 ? `no ${member} named ${name}` : `${member} ${name} is defined twice`);
  const value = (found[0] as Entry)[member];
  return isEntry(value) ? value : fail(`${member} ${name} is not a mapping`);
}

function isEntry(value: unknown): value is Entry {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
