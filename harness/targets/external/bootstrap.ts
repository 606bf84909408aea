// `seb target bootstrap` and `seb target teardown`: set up an existing
// cluster and/or AWS account for the broker, write target.json, and record
// every object created in a manifest beside it, so that teardown removes
// exactly that and nothing else. The manifest is rewritten after each
// creation: a bootstrap that fails part-way can still be torn down.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { stringify } from 'yaml';
import { ConfigError } from '../../../broker/core/errors.js';
import { isJsonObject, type JsonValue } from '../../../broker/core/strict-json.js';
import { readJsonFile, writeFileAtomic } from '../../../broker/files.js';
import { awsCredentialsFor } from '../../../broker/platforms/aws/credentials.js';
import { partitionOf } from '../../../broker/platforms/aws/arn.js';
import { KubeClient } from '../../../broker/platforms/kubernetes/client.js';
import { loadKubeconfig } from '../../../broker/platforms/kubernetes/kubeconfig.js';
import type { AwsCredentials, AwsCredentialSource, AwsTarget, KubernetesTarget, TargetInfo } from '../../../broker/platforms/target-info.js';
import { accountDocuments, setUpAccount, type AccountSetupOptions, type AwsCreated, type ClientOptions } from '../local/aws-bootstrap.js';
import { objectPath } from '../local/kubernetes-bootstrap.js';
import { REQUIRED_ACTIONS, refuseDenied, remainingAws, simulateAccess, teardownAws } from './aws.js';
import { bootstrapExternalKubernetes, externalStages, pinContext, remainingKubernetes, teardownKubernetes, type ExternalKubernetesOptions } from './kubernetes.js';

export const MANIFEST_FILE = 'bootstrap-manifest.json';
export const TARGET_FILE = 'target.json';

export interface KubernetesChoice {
  readonly kubeconfig: string;
  readonly context?: string;
  readonly protectedNamespaces: readonly string[];
  readonly executorNamespace: string;
  readonly systemNamespace: string;
  /** Lifetime asked for the agent's and broker's tokens; the API server may shorten it. */
  readonly tokenSeconds: number;
}

export interface AwsChoice {
  /** A profile of the shared AWS files; absent: the SDK's default chain. */
  readonly profile?: string;
  /** Static keys instead, for a throwaway emulator (LocalStack in a container); never recorded in the manifest. */
  readonly keys?: AwsCredentials;
  readonly region: string;
  /** moto or LocalStack; absent for AWS itself. */
  readonly endpoint?: string;
  /** false where the platform has no DynamoDB (LocalStack without Java). */
  readonly table: boolean;
}

export interface BootstrapChoice {
  readonly outDir: string;
  readonly name: string;
  readonly kubernetes?: KubernetesChoice;
  readonly aws?: AwsChoice;
}

export interface Manifest {
  readonly id: string;
  readonly files: string[];
  kubernetes?: { readonly adminKubeconfig: string; readonly created: string[] };
  aws?: { readonly profile?: string; readonly region: string; readonly endpoint?: string; readonly created: AwsCreated[] };
}

const AWS_NAMES = { agent: 'seb-agent', broker: 'seb-broker', executor: 'seb-executor' } as const;

function kubernetesOptions(k: KubernetesChoice, id: string, admin = '<the user running bootstrap>'): ExternalKubernetesOptions {
  return { protectedNamespaces: k.protectedNamespaces, executorNamespace: k.executorNamespace, systemNamespace: k.systemNamespace, id, admin };
}

function accountOptions(a: AwsChoice, accountId: string): AccountSetupOptions {
  return {
    names: AWS_NAMES,
    partition: partitionOf(a.region),
    // Bucket names are global across AWS: the account and region make ours unique.
    bucket: `seb-target-${accountId}-${a.region}`,
    ...(a.table ? { table: 'seb-target' } : {}),
  };
}

/** Every manifest and policy document bootstrap would create, for review; contacts nothing. */
export function dryRun(c: BootstrapChoice): string {
  const out: string[] = [];
  if (c.kubernetes !== undefined) {
    out.push(`# Kubernetes (${c.kubernetes.kubeconfig}${c.kubernetes.context === undefined ? '' : `, context ${c.kubernetes.context}`}), created in this order:`);
    for (const object of externalStages(kubernetesOptions(c.kubernetes, '<bootstrap id>')).flat()) {
      out.push(`---\n# POST ${object.collection} -> ${objectPath(object)}\n${stringify(object.body)}`);
    }
    out.push(`# then: TokenRequest for ${c.kubernetes.systemNamespace}/seb-agent and ${c.kubernetes.systemNamespace}/seb-broker (${c.kubernetes.tokenSeconds} s), written to agent.kubeconfig and broker.kubeconfig`);
  }
  if (c.aws !== undefined) {
    const o = accountOptions(c.aws, 'ACCOUNT_ID');
    const docs = accountDocuments(o, 'ACCOUNT_ID');
    out.push(`# AWS (${c.aws.profile === undefined ? 'default credential chain' : `profile ${c.aws.profile}`}, ${c.aws.region}${c.aws.endpoint === undefined ? '' : `, ${c.aws.endpoint}`}); ACCOUNT_ID is the caller's account`);
    const doc = (title: string, value: object) => out.push(`# ${title}\n${JSON.stringify(value, null, 2)}`);
    doc(`IAM user ${o.names.agent}, inline policy ${o.names.agent}, one access key`, docs.agentPolicy);
    doc(`IAM user ${o.names.broker}, inline policy assume-executor, one access key`, docs.brokerPolicy);
    doc(`IAM role ${o.names.executor}: trust policy`, docs.executorTrustPolicy);
    doc(`IAM role ${o.names.executor}: inline policy executor (every execution narrows it with a session policy)`, docs.executorPolicy);
    out.push(`# S3 bucket ${o.bucket}${o.table === undefined ? '' : `\n# DynamoDB table ${o.table} (partition key id, on demand)`}`);
  }
  out.push(`# files: ${join(c.outDir, TARGET_FILE)}, ${join(c.outDir, MANIFEST_FILE)}${c.kubernetes === undefined ? '' : ', agent.kubeconfig, broker.kubeconfig'}`);
  return `${out.join('\n')}\n`;
}

export async function bootstrapExternal(c: BootstrapChoice, log: (line: string) => void): Promise<{ targetFile: string; manifestFile: string }> {
  const outDir = resolve(c.outDir);
  const manifestFile = join(outDir, MANIFEST_FILE);
  if (existsSync(manifestFile)) throw new ConfigError(manifestFile, 'exists: this folder holds a bootstrap already; run `seb target teardown` first, or choose another --out');
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const manifest: Manifest = { id: randomBytes(4).toString('hex'), files: [] };
  const save = () => writeFileAtomic(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`, 0o600);
  save();

  let kubernetes: KubernetesTarget | undefined;
  if (c.kubernetes !== undefined) {
    const k = c.kubernetes;
    let admin = resolve(k.kubeconfig);
    if (k.context !== undefined) {
      admin = pinContext(admin, k.context, join(outDir, 'admin.kubeconfig'));
      manifest.files.push(admin);
    }
    const created: string[] = [];
    manifest.kubernetes = { adminKubeconfig: admin, created };
    save();
    log(`Kubernetes: checking the caller's access (SelfSubjectAccessReview), then creating ${externalStages(kubernetesOptions(k, manifest.id)).flat().length} objects`);
    const result = await bootstrapExternalKubernetes(admin, kubernetesOptions(k, manifest.id), outDir, k.tokenSeconds, (path) => {
      created.push(path);
      save();
    });
    manifest.files.push(result.info.kubeconfigs.agent, result.info.kubeconfigs.broker);
    save();
    log(`Kubernetes: ${result.created.length} objects created; agent and broker tokens valid until ${result.tokenExpiry} (run bootstrap again after teardown to renew)`);
    kubernetes = result.info;
  }

  let aws: AwsTarget | undefined;
  if (c.aws !== undefined) {
    const a = c.aws;
    const credentials: AwsCredentialSource = a.keys ?? (a.profile === undefined ? {} : { profile: a.profile });
    const client: ClientOptions = { region: a.region, credentials: awsCredentialsFor(credentials, { endpoint: a.endpoint ?? '', region: a.region }), ...(a.endpoint === undefined ? {} : { endpoint: a.endpoint }) };
    const check = await simulateAccess(client, REQUIRED_ACTIONS);
    refuseDenied(check, a.profile === undefined ? 'AWS caller' : `AWS profile ${a.profile}`);
    log(check.checked ? 'AWS: the caller may do everything bootstrap does (IAM SimulatePrincipalPolicy)' : `AWS: permissions not checked in advance: ${check.why}`);
    const accountId = await callerAccount(client);
    const created: AwsCreated[] = [];
    manifest.aws = { ...(a.profile === undefined ? {} : { profile: a.profile }), region: a.region, ...(a.endpoint === undefined ? {} : { endpoint: a.endpoint }), created };
    save();
    const options = accountOptions(a, accountId);
    const setup = await setUpAccount(client, options, (x) => {
      created.push(x);
      save();
    });
    aws = {
      endpoint: a.endpoint ?? '',
      region: a.region,
      credentials: { admin: credentials, agent: setup.agent, broker: setup.broker },
      executorRoleArn: setup.executorRoleArn,
      accountId: setup.accountId,
      resources: { bucket: options.bucket, ...(options.table === undefined ? {} : { table: options.table }) },
    };
    log(`AWS: ${created.length} IAM, S3${options.table === undefined ? '' : ' and DynamoDB'} items created in account ${accountId}`);
  }

  const info: TargetInfo = { name: c.name, ...(kubernetes === undefined ? {} : { kubernetes }), ...(aws === undefined ? {} : { aws }) };
  const targetFile = join(outDir, TARGET_FILE);
  // Static keys of the agent and broker are in it: readable by the owner only.
  writeFileAtomic(targetFile, `${JSON.stringify(info, null, 2)}\n`, 0o600);
  manifest.files.push(targetFile);
  save();
  return { targetFile, manifestFile };
}

async function callerAccount(c: ClientOptions): Promise<string> {
  const sts = new STSClient(c);
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
  } finally {
    sts.destroy();
  }
}

export function readManifest(file: string): Manifest {
  const value: JsonValue = readJsonFile(file, 'bootstrap manifest');
  if (!isJsonObject(value) || typeof value.id !== 'string' || !Array.isArray(value.files)) throw new ConfigError(file, 'is not a bootstrap manifest');
  return value as unknown as Manifest;
}

export interface TeardownResult {
  /** What is still there: empty when teardown is complete. */
  readonly left: readonly string[];
  /** Namespaces deleted and being emptied by the cluster. */
  readonly terminating: readonly string[];
}

/** Removes what the manifest in `outDir` lists, then (when nothing is left) the files bootstrap wrote. */
export async function teardownExternal(outDir: string, log: (line: string) => void): Promise<TeardownResult> {
  const manifestFile = join(resolve(outDir), MANIFEST_FILE);
  if (!existsSync(manifestFile) || !statSync(manifestFile).isFile()) throw new ConfigError(manifestFile, 'no bootstrap manifest here: nothing to tear down');
  const manifest = readManifest(manifestFile);
  const left: string[] = [];
  const terminating: string[] = [];
  if (manifest.aws !== undefined) {
    const a = manifest.aws;
    const client: ClientOptions = {
      region: a.region,
      credentials: awsCredentialsFor(a.profile === undefined ? undefined : { profile: a.profile }, { endpoint: a.endpoint ?? '', region: a.region }),
      ...(a.endpoint === undefined ? {} : { endpoint: a.endpoint }),
    };
    await teardownAws(client, a.created);
    left.push(...(await remainingAws(client, a.created)));
    log(`AWS: removed ${a.created.length} items`);
  }
  if (manifest.kubernetes !== undefined) {
    const connection = loadKubeconfig(manifest.kubernetes.adminKubeconfig);
    const admin = KubeClient.connect(connection, connection.credential);
    try {
      await teardownKubernetes(admin, manifest.kubernetes.created);
      const remaining = await remainingKubernetes(admin, manifest.kubernetes.created);
      left.push(...remaining.left);
      terminating.push(...remaining.terminating);
    } finally {
      admin.close();
    }
    log(`Kubernetes: deleted ${manifest.kubernetes.created.length} objects`);
  }
  if (left.length === 0) {
    for (const file of manifest.files) rmSync(file, { force: true });
    rmSync(manifestFile, { force: true });
  }
  return { left, terminating };
}
