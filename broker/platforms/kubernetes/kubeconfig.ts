// Reading a kubeconfig into what the client needs: the server, the CA to
// trust, and one credential (client certificate or bearer token). Only the
// subset that keeps TLS verification on and the credential static is
// accepted; anything that would weaken or widen it (skip-verify, exec
// plugins, auth providers, impersonation, proxies) is refused by name rather
// than silently ignored.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../../core/errors.js';
import type { Credential, Endpoint } from './client.js';

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
}

type Entry = Record<string, unknown>;

const REFUSED_CLUSTER = ['insecure-skip-tls-verify', 'proxy-url', 'tls-server-name'] as const;
const REFUSED_USER = ['exec', 'auth-provider', 'username', 'password', 'as', 'as-groups', 'as-uid', 'as-user-extra'] as const;

export function loadKubeconfig(file: string, context?: string): KubeConnection {
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
  const token = str(user.token) ?? readPath(user, `user ${userName}`, 'tokenFile')?.toString('utf8').trim();
  let credential: Credential;
  if (cert !== undefined || key !== undefined) {
    if (cert === undefined || key === undefined) return fail(`user ${userName}: client-certificate and client-key come together`);
    if (token !== undefined) return fail(`user ${userName}: both a client certificate and a token; choose one`);
    credential = { kind: 'cert', cert, key };
  } else if (token !== undefined && token !== '') {
    credential = { kind: 'token', token };
  } else {
    return fail(`user ${userName} has no client certificate and no token`);
  }
  return { server, ...(ca === undefined ? {} : { ca }), credential, context: contextName };
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
