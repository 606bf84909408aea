// The local AWS target: moto on loopback, bootstrapped and enforcing IAM.
// Either everything is up and described, or what started is stopped and the
// error names moto's log.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { IoError } from '../../../broker/core/errors.js';
import type { AwsCredentials, AwsTarget } from '../../../broker/platforms/target-info.js';
import { bootstrapAws, type AwsResources } from './aws-bootstrap.js';
import { installBinaries } from './binaries.js';
import { startMoto } from './moto.js';

export const LOCAL_AWS_REGION = 'us-east-1';

export interface LocalAws {
  /** The local target hands out static keys for every identity. */
  readonly info: AwsTarget & { readonly credentials: { readonly agent: AwsCredentials; readonly broker: AwsCredentials; readonly admin: AwsCredentials } };
  readonly resources: AwsResources;
  readonly logFile: string;
  /** moto's process id, for the harness's CPU accounting. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export async function startLocalAws(workDir: string): Promise<LocalAws> {
  const { moto_server: binary } = await installBinaries(['moto']);
  if (binary === undefined) throw new IoError('install.sh printed no moto_server path');
  mkdirSync(workDir, { recursive: true });
  const logFile = join(workDir, 'moto.log');
  const moto = await startMoto(binary, logFile);
  try {
    const boot = await bootstrapAws(moto.endpoint, LOCAL_AWS_REGION);
    return {
      info: {
        endpoint: moto.endpoint,
        region: LOCAL_AWS_REGION,
        credentials: boot.credentials,
        executorRoleArn: boot.executorRoleArn,
        accountId: boot.accountId,
      },
      resources: boot.resources,
      logFile,
      pid: moto.process.pid,
      stop: () => moto.stop(),
    };
  } catch (error) {
    await moto.stop();
    throw new IoError(`local AWS bootstrap failed: ${(error as Error).message}; see ${logFile}`, { cause: error });
  }
}
