// LocalStack (community, localstack-core) as a plain process on loopback, no
// Docker: what it serves for the harness, how it is started, and the target
// it makes with the same account setup as moto and external accounts.
//
// Found on this machine: the host has /.dockerenv, so OVERRIDE_IN_DOCKER=0;
// the default gateway server binds 0.0.0.0 whatever GATEWAY_LISTEN says, so
// hypercorn; no DNS server, no certificate download, no analytics events; its
// own FILESYSTEM_ROOT. It prints `Ready.` when it serves. A SIGTERM soon
// after start can hang, hence a short grace before SIGKILL.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { IoError } from '../../../broker/core/errors.js';
import { partitionOf } from '../../../broker/platforms/aws/arn.js';
import { awsCredentialsFor } from '../../../broker/platforms/aws/credentials.js';
import type { AwsTarget } from '../../../broker/platforms/target-info.js';
import { setUpAccount } from '../local/aws-bootstrap.js';
import { installBinaries, pinnedVersions } from '../local/binaries.js';
import { startOnFreshPorts } from '../local/ports.js';
import { waitFor } from '../local/wait.js';
import { ManagedProcess } from '../local/process.js';

/** The mutation kinds LocalStack community serves as moto does; DynamoDB downloads Java and DynamoDB Local at first use. */
export const LOCALSTACK_KINDS = ['ssm-put-parameter', 's3-put-object', 'ec2-authorize-ingress'] as const;

/** Why the check that the agent and a standing credential are refused does not apply here. */
export const LOCALSTACK_BYPASS_NOT_APPLICABLE = 'not applicable: LocalStack community does not enforce IAM (with or without ENFORCE_IAM), so nothing refuses a direct write';

const READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 3_000;
const REGION = 'us-east-1';
/** LocalStack maps any key it did not issue to its default account 000000000000. */
const SETUP_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export function localstackEnv(port: number, filesystemRoot: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    OVERRIDE_IN_DOCKER: '0',
    GATEWAY_LISTEN: `127.0.0.1:${port}`,
    GATEWAY_SERVER: 'hypercorn',
    DNS_ADDRESS: '0',
    SKIP_SSL_CERT_DOWNLOAD: '1',
    DISABLE_EVENTS: '1',
    FILESYSTEM_ROOT: filesystemRoot,
    PYTHONUNBUFFERED: '1',
  };
}

export interface LocalStackProcess {
  readonly endpoint: string;
  readonly logFile: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/** Starts LocalStack with `python` (the venv install.sh made) under `workDir`; ready when its log says `Ready.`. */
export function startLocalStack(python: string, workDir: string): Promise<LocalStackProcess> {
  mkdirSync(join(workDir, 'filesystem'), { recursive: true });
  const logFile = join(workDir, 'localstack.log');
  return startOnFreshPorts(1, async ([port]) => {
    const proc = await ManagedProcess.start({
      name: 'localstack',
      command: python,
      args: ['-m', 'localstack.runtime.main'],
      logFile,
      env: localstackEnv(port as number, join(workDir, 'filesystem'), {}),
      cwd: workDir,
      wait: waitFor.logLine(/^Ready\.$/),
      readyTimeoutMs: READY_TIMEOUT_MS,
      // A SIGTERM soon after the start can hang LocalStack: SIGKILL follows after the grace period.
      stopGraceMs: STOP_GRACE_MS,
    });
    return { endpoint: `http://127.0.0.1:${port as number}`, logFile, process: proc, stop: () => proc.stop() };
  });
}

export interface LocalStackTarget {
  readonly info: AwsTarget;
  readonly version: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

/** LocalStack, installed if needed, started, and set up like any account: users, executor role, bucket (no table). */
export async function startLocalStackTarget(workDir: string): Promise<LocalStackTarget> {
  const { localstack_python: python } = await installBinaries(['localstack']);
  if (python === undefined) throw new IoError('install.sh printed no localstack_python path');
  const ls = await startLocalStack(python, workDir);
  try {
    const client = { endpoint: ls.endpoint, region: REGION, credentials: awsCredentialsFor(SETUP_CREDENTIALS) };
    const names = { agent: 'seb-agent', broker: 'seb-broker', executor: 'seb-executor' };
    const setup = await setUpAccount(client, { names, partition: partitionOf(REGION), bucket: 'seb-target' }, () => {});
    return {
      info: {
        endpoint: ls.endpoint,
        region: REGION,
        credentials: { admin: { ...SETUP_CREDENTIALS }, agent: setup.agent, broker: setup.broker },
        executorRoleArn: setup.executorRoleArn,
        accountId: setup.accountId,
        resources: { bucket: 'seb-target' },
      },
      version: pinnedVersions('localstack/versions.env').localstack ?? 'unknown',
      logFile: ls.logFile,
      stop: ls.stop,
    };
  } catch (error) {
    await ls.stop();
    throw new IoError(`LocalStack setup failed: ${(error as Error).message}; log kept at ${ls.logFile}`, { cause: error });
  }
}
