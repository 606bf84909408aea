// The platform adapters a broker uses for a target described by target.json:
// the broker's own identity on each platform, nothing more.
import { AwsAdapter } from './aws/adapter.js';
import type { ExecutorMode } from './kubernetes/executor.js';
import { KubernetesAdapter } from './kubernetes/adapter.js';
import type { PlatformAdapter } from '../core/ports/platform.js';
import { ConfigError } from '../core/errors.js';
import { isJsonObject, type JsonValue } from '../core/strict-json.js';
import type { TargetInfo } from './target-info.js';

export interface TargetAdapters {
  readonly adapters: readonly PlatformAdapter[];
  close(): void;
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
  const aws =
    target.aws === undefined
      ? undefined
      : new AwsAdapter({
          ...(target.aws.endpoint === '' ? {} : { endpoint: target.aws.endpoint }),
          region: target.aws.region,
          accountId: target.aws.accountId,
          brokerCredentials: target.aws.credentials.broker,
          executorRoleArn: target.aws.executorRoleArn,
        });
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
    const a = members(target.aws, `${where}: aws`, ['endpoint', 'region', 'credentials', 'executorRoleArn', 'accountId']);
    for (const name of ['endpoint', 'region', 'executorRoleArn', 'accountId']) text(a[name], `${where}: aws.${name}`);
    const credentials = members(a.credentials, `${where}: aws.credentials`, ['agent', 'broker', 'admin']);
    for (const who of ['agent', 'broker']) {
      const c = members(credentials[who], `${where}: aws.credentials.${who}`, ['accessKeyId', 'secretAccessKey']);
      text(c.accessKeyId, `${where}: aws.credentials.${who}.accessKeyId`);
      text(c.secretAccessKey, `${where}: aws.credentials.${who}.secretAccessKey`);
    }
  }
  return value as unknown as TargetInfo;
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
