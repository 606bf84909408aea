// The `local` target: a real kube-apiserver with etcd, and moto enforcing
// IAM, all on loopback, started together and stopped together. Either both
// platforms are up, or whatever started is stopped again.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetInfo } from '../../../broker/platforms/target-info.js';
import { startLocalAws, type LocalAws } from './aws-target.js';
import { pinnedVersions } from './binaries.js';
import { startLocalKubernetes, type LocalKubernetes } from './kubernetes-target.js';

export interface LocalTarget {
  readonly info: TargetInfo;
  readonly kubernetes?: LocalKubernetes;
  readonly aws?: LocalAws;
  stop(): Promise<void>;
}

export interface LocalTargetOptions {
  readonly platforms?: readonly ('kubernetes' | 'aws')[];
}

export async function startLocalTarget(workDir: string, options: LocalTargetOptions = {}): Promise<LocalTarget> {
  const platforms = options.platforms ?? ['kubernetes', 'aws'];
  mkdirSync(workDir, { recursive: true });
  // One after the other: on two cores, parallel start-ups only slow each other.
  const kubernetes = platforms.includes('kubernetes') ? await startLocalKubernetes(join(workDir, 'kubernetes')) : undefined;
  let aws: LocalAws | undefined;
  try {
    aws = platforms.includes('aws') ? await startLocalAws(join(workDir, 'aws')) : undefined;
  } catch (error) {
    await kubernetes?.stop();
    throw error;
  }
  return {
    info: {
      name: 'local',
      ...(kubernetes === undefined ? {} : { kubernetes: kubernetes.info }),
      ...(aws === undefined ? {} : { aws: aws.info }),
      versions: pinnedVersions(),
    },
    ...(kubernetes === undefined ? {} : { kubernetes }),
    ...(aws === undefined ? {} : { aws }),
    async stop() {
      await Promise.allSettled([kubernetes?.stop(), aws?.stop()]);
    },
  };
}
