// Targets in containers, where a Docker engine exists: k3s and LocalStack
// through testcontainers 11 (12 needs Node 22), kind through its own command
// (built from the Go module proxy by install.sh kind). Each is set up by the
// same bootstrap as any external cluster or account, so what the broker
// finds there is what it finds on a real one. Without an engine, every entry
// point says why and stops; nothing is faked.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError, IoError } from '../../../broker/core/errors.js';
import type { TargetInfo } from '../../../broker/platforms/target-info.js';
import { DEFAULT_EXECUTOR_NAMESPACE } from '../../../broker/platforms/kubernetes/adapter.js';
import { bootstrapExternal, type BootstrapChoice } from '../external/bootstrap.js';
import { SYSTEM_NAMESPACE } from '../external/kubernetes.js';
import { installBinaries } from '../local/binaries.js';
import { dockerEngine } from './docker.js';

export const CONTAINER_TARGET_NAMES = ['k3s', 'kind', 'localstack-container'] as const;
export type ContainerTargetName = (typeof CONTAINER_TARGET_NAMES)[number];

/**
 * Pinned images (not pulled on this machine, which has no engine): k3s on the
 * Kubernetes 1.35 line, LocalStack at the version of the process target.
 * kind uses the node image its pinned release (install/kind/versions.env) names.
 */
export const IMAGES = {
  k3s: 'rancher/k3s:v1.35.1-k3s1',
  localstack: 'localstack/localstack:4.13.1',
} as const;

export function platformOf(target: ContainerTargetName): 'kubernetes' | 'aws' {
  return target === 'localstack-container' ? 'aws' : 'kubernetes';
}

/** LocalStack accepts any key; these are its documented defaults. */
const LOCALSTACK_KEYS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** What bootstrap is asked to set up on a freshly started container (pure: tested without Docker). */
export function containerBootstrap(target: ContainerTargetName, access: { readonly kubeconfig?: string; readonly endpoint?: string }, outDir: string): BootstrapChoice {
  if (platformOf(target) === 'kubernetes') {
    if (access.kubeconfig === undefined) throw new IoError(`${target}: no kubeconfig from the container`);
    return {
      outDir,
      name: target,
      kubernetes: { kubeconfig: access.kubeconfig, protectedNamespaces: ['seb-prod'], executorNamespace: DEFAULT_EXECUTOR_NAMESPACE, systemNamespace: SYSTEM_NAMESPACE, tokenSeconds: 24 * 3600 },
    };
  }
  if (access.endpoint === undefined) throw new IoError(`${target}: no endpoint from the container`);
  return { outDir, name: target, aws: { region: 'us-east-1', endpoint: access.endpoint, keys: LOCALSTACK_KEYS, table: false } };
}

export interface ContainerTarget {
  readonly info: TargetInfo;
  stop(): Promise<void>;
}

/** Starts the container (or kind cluster), bootstraps it, and reads back its target.json. Refuses at once without an engine. */
export async function startContainerTarget(target: ContainerTargetName, workDir: string, log: (line: string) => void): Promise<ContainerTarget> {
  const engine = await dockerEngine();
  if (engine !== true) throw new ConfigError(`target ${target}`, `needs a Docker engine: ${engine}. Use --target local or localstack, or a target.json of a cluster you run`);
  mkdirSync(workDir, { recursive: true });
  const started = await startContainer(target, workDir);
  try {
    log(`${target} is up; bootstrapping it as an external ${platformOf(target) === 'kubernetes' ? 'cluster' : 'account'}`);
    const { targetFile } = await bootstrapExternal(containerBootstrap(target, started.access, join(workDir, 'bootstrap')), log);
    return { info: JSON.parse(readFileSync(targetFile, 'utf8')) as TargetInfo, stop: started.stop };
  } catch (error) {
    await started.stop();
    throw error;
  }
}

interface Started {
  readonly access: { readonly kubeconfig?: string; readonly endpoint?: string };
  stop(): Promise<void>;
}

const run = promisify(execFile);

async function startContainer(target: ContainerTargetName, workDir: string): Promise<Started> {
  switch (target) {
    case 'k3s': {
      const { K3sContainer } = await import('@testcontainers/k3s');
      const container = await new K3sContainer(IMAGES.k3s).start();
      const kubeconfig = join(workDir, 'k3s.kubeconfig');
      writeFileSync(kubeconfig, container.getKubeConfig(), { mode: 0o600 });
      return { access: { kubeconfig }, stop: async () => void (await container.stop()) };
    }
    case 'localstack-container': {
      const { LocalstackContainer } = await import('@testcontainers/localstack');
      const container = await new LocalstackContainer(IMAGES.localstack).start();
      return { access: { endpoint: container.getConnectionUri() }, stop: async () => void (await container.stop()) };
    }
    case 'kind': {
      const { kind } = await installBinaries(['kind']);
      if (kind === undefined) throw new IoError('install.sh printed no kind path');
      const name = `seb-${process.pid}`;
      const kubeconfig = join(workDir, 'kind.kubeconfig');
      await run(kind, ['create', 'cluster', '--name', name, '--kubeconfig', kubeconfig, '--wait', '120s'], { timeout: 300_000 });
      return { access: { kubeconfig }, stop: async () => void (await run(kind, ['delete', 'cluster', '--name', name], { timeout: 120_000 })) };
    }
  }
}
