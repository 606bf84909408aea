// The platform adapters a broker uses for a target described by target.json:
// the broker's own identity on each platform, nothing more.
import { AwsAdapter } from './aws/adapter.js';
import type { ExecutorMode } from './kubernetes/executor.js';
import { KubernetesAdapter } from './kubernetes/adapter.js';
import type { PlatformAdapter } from '../core/ports/platform.js';
import { ConfigError } from '../core/errors.js';
import { isJsonObject, type JsonValue } from '../core/strict-json.js';
import type { AwsTarget, TargetInfo } from './target-info.js';
import { isStaticKeys } from './aws/credentials.js';
import { readJsonFile } from '../files.js';
import { statSync } from 'node:fs';

export interface TargetAdapters {
  readonly adapters: readonly PlatformAdapter[];
  close(): void;
}

/** The broker's AWS adapter for an account described by target.json: the broker's own credential, the executor role. */
export function awsAdapterFor(aws: AwsTarget): AwsAdapter {
  return new AwsAdapter({
    ...(aws.endpoint === '' ? {} : { endpoint: aws.endpoint }),
    region: aws.region,
    accountId: aws.accountId,
    ...(aws.credentials?.broker === undefined ? {} : { brokerCredentials: aws.credentials.broker }),
    executorRoleArn: aws.executorRoleArn,
  });
}

export function adaptersFor(target: TargetInfo, options: { kubernetesMode: ExecutorMode }): TargetAdapters {
  const kubernetes =
    target.kubernetes === undefined
      ? undefined
      : KubernetesAdapter.fromKubeconfig(target.kubernetes.kubeconfigs.broker, {
          protectedNamespaces: target.kubernetes.protectedNamespaces,
          executorNamespace: target.kubernetes.executorNamespace,
          audience: target.kubernetes.executorAudience,
          mode: options.kubernetesMode,
        });
  const aws = target.aws === undefined ? undefined : awsAdapterFor(target.aws);
  const adapters = [kubernetes, aws].filter((a): a is KubernetesAdapter | AwsAdapter => a !== undefined);
  if (adapters.length === 0) throw new ConfigError('target', 'names no platform (kubernetes or aws)');
  return { adapters, close: () => adapters.forEach((a) => a.close()) };
}

/** target.json as `seb target up` writes it: every member the adapters use must be there, of its type. */
export function readTargetInfo(value: JsonValue, where: string): TargetInfo {
  const target = members(value, where, ['name', 'kubernetes', 'aws', 'versions']);
  text(target.name, `${where}: name`);
  if (target.kubernetes !== undefined) {
    const k = members(target.kubernetes, `${where}: kubernetes`, ['server', 'kubeconfigs', 'protectedNamespaces', 'executorNamespace', 'executorAudience']);
    for (const name of ['server', 'executorNamespace', 'executorAudience']) text(k[name], `${where}: kubernetes.${name}`);
    const configs = members(k.kubeconfigs, `${where}: kubernetes.kubeconfigs`, ['admin', 'agent', 'broker']);
    for (const name of ['admin', 'agent', 'broker']) text(configs[name], `${where}: kubernetes.kubeconfigs.${name}`);
    list(k.protectedNamespaces, `${where}: kubernetes.protectedNamespaces`);
  }
  if (target.aws !== undefined) {
    const a = members(target.aws, `${where}: aws`, ['endpoint', 'region', 'credentials', 'executorRoleArn', 'accountId', 'resources']);
    if (a.resources !== undefined) {
      const r = members(a.resources, `${where}: aws.resources`, ['bucket', 'table']);
      text(r.bucket, `${where}: aws.resources.bucket`);
      if (r.table !== undefined) text(r.table, `${where}: aws.resources.table`);
    }
    for (const name of ['endpoint', 'region', 'executorRoleArn', 'accountId']) text(a[name], `${where}: aws.${name}`);
    if (a.credentials !== undefined) {
      const credentials = members(a.credentials, `${where}: aws.credentials`, ['agent', 'broker', 'admin']);
      for (const who of ['agent', 'broker', 'admin']) if (credentials[who] !== undefined) credentialSource(credentials[who], `${where}: aws.credentials.${who}`);
    }
  }
  return value as unknown as TargetInfo;
}

/** Static keys, {profile}, or {} (the SDK's default chain); nothing else, so a typo is not read as "environment". */
function credentialSource(value: JsonValue, where: string): void {
  const c = members(value, where, ['accessKeyId', 'secretAccessKey', 'profile']);
  if (c.profile !== undefined) {
    if (Object.keys(c).length !== 1) throw new ConfigError(where, 'a profile comes alone, without keys');
    text(c.profile, `${where}.profile`);
    if (c.profile === '') throw new ConfigError(`${where}.profile`, 'must not be empty');
  } else if (Object.keys(c).length > 0) {
    text(c.accessKeyId, `${where}.accessKeyId`);
    text(c.secretAccessKey, `${where}.secretAccessKey`);
  }
}

/** Which identities of the target carry static keys in the file itself. */
export function staticKeyHolders(target: TargetInfo): string[] {
  const credentials = target.aws?.credentials ?? {};
  return (['agent', 'broker', 'admin'] as const).filter((who) => isStaticKeys(credentials[who]));
}

/** A warning when the file holding static keys may be read by its group or others (mode & 0o044), else undefined. */
export function exposedKeysWarning(target: TargetInfo, file: string, mode: number): string | undefined {
  const holders = staticKeyHolders(target);
  if (holders.length === 0 || (mode & 0o044) === 0) return undefined;
  return `warning: ${file} holds static AWS keys (${holders.join(', ')}) and is readable by others (mode ${(mode & 0o777).toString(8).padStart(3, '0')}); chmod 600 it, or name a profile instead`;
}

/** Reads and checks target.json, warning (on stderr by default) when it exposes static keys. */
export function readTargetFile(file: string, warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): TargetInfo {
  const target = readTargetInfo(readJsonFile(file, 'target'), file);
  const warning = exposedKeysWarning(target, file, statSync(file).mode);
  if (warning !== undefined) warn(warning);
  return target;
}

function members(value: JsonValue | undefined, where: string, allowed: readonly string[]): Record<string, JsonValue> {
  if (!isJsonObject(value)) throw new ConfigError(where, 'must be an object');
  for (const key of Object.keys(value)) if (!allowed.includes(key)) throw new ConfigError(`${where}.${key}`, 'unknown member');
  return value;
}

function text(value: JsonValue | undefined, where: string): void {
  if (typeof value !== 'string') throw new ConfigError(where, 'must be a string');
}

function list(value: JsonValue | undefined, where: string): void {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) throw new ConfigError(where, 'must be a non-empty list of strings');
}
