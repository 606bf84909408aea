// `seb target bootstrap`: set up a cluster and/or AWS account someone already
// has for the broker (namespaces, RBAC, admission policy; IAM users, executor
// role, bucket, table), write target.json and the manifest teardown uses.
import { resolve } from 'node:path';
import { bootstrapExternal, dryRun, type BootstrapChoice } from '../targets/external/bootstrap.js';
import { SYSTEM_NAMESPACE } from '../targets/external/kubernetes.js';
import { DEFAULT_EXECUTOR_NAMESPACE } from '../../broker/platforms/kubernetes/adapter.js';
import { UsageError } from '../../broker/core/errors.js';
import { defineCommand } from '../../broker/cli/command.js';

export const DEFAULT_EXTERNAL_DIR = '.seb/external';

export const targetBootstrap = defineCommand({
  words: ['target', 'bootstrap'],
  summary: 'Set up an existing cluster (--kubeconfig) and/or AWS account (--aws-profile) for the broker; write DIR/target.json and DIR/bootstrap-manifest.json.',
  details:
    'Asks the platform first whether the caller may do it all (SelfSubjectAccessReview; IAM SimulatePrincipalPolicy where it answers) and refuses otherwise. ' +
    '--dry-run prints every manifest and policy document and creates nothing. `seb target teardown --out DIR` removes exactly what this created.',
  flags: {
    kubeconfig: { type: 'string', value: 'FILE', description: "the cluster admin's kubeconfig" },
    context: { type: 'string', value: 'NAME', description: 'a context of --kubeconfig (default: its current context)' },
    protect: { type: 'string', value: 'NS', description: 'a namespace only executors may change (repeatable; existing ones are kept)', multiple: true },
    'executor-namespace': { type: 'string', value: 'NS', description: 'where executors live', default: DEFAULT_EXECUTOR_NAMESPACE },
    'system-namespace': { type: 'string', value: 'NS', description: "the agent's and broker's ServiceAccounts", default: SYSTEM_NAMESPACE },
    'token-hours': { type: 'string', value: 'H', description: "lifetime asked for the agent's and broker's tokens", default: '24' },
    'aws-profile': { type: 'string', value: 'NAME', description: 'the AWS admin profile (without it: the default credential chain, with --aws)' },
    aws: { type: 'boolean', description: 'set up AWS with the default credential chain (environment)' },
    region: { type: 'string', value: 'REGION', description: 'AWS region', default: 'us-east-1' },
    'endpoint-url': { type: 'string', value: 'URL', description: 'an AWS endpoint such as moto or LocalStack' },
    'no-dynamodb': { type: 'boolean', description: 'no DynamoDB table (LocalStack community runs none without Java)' },
    name: { type: 'string', value: 'NAME', description: 'the target name in target.json', default: 'external' },
    out: { type: 'string', value: 'DIR', description: 'folder for target.json, kubeconfigs and the manifest', default: DEFAULT_EXTERNAL_DIR },
    'dry-run': { type: 'boolean', description: 'print what would be created; create nothing' },
  },
  async run(flags) {
    const choice = bootstrapChoice(flags);
    if (flags['dry-run']) {
      process.stdout.write(dryRun(choice));
      return 0;
    }
    const { targetFile, manifestFile } = await bootstrapExternal(choice, (line) => process.stderr.write(`[seb] ${line}\n`));
    process.stdout.write(`ready ${targetFile}\nmanifest ${manifestFile} (seb target teardown --out ${choice.outDir})\n`);
    return 0;
  },
});

function bootstrapChoice(flags: {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  protect?: string[] | undefined;
  'executor-namespace': string;
  'system-namespace': string;
  'token-hours': string;
  'aws-profile'?: string | undefined;
  aws?: boolean | undefined;
  region: string;
  'endpoint-url'?: string | undefined;
  'no-dynamodb'?: boolean | undefined;
  name: string;
  out: string;
}): BootstrapChoice {
  const hours = Number(flags['token-hours']);
  if (!Number.isFinite(hours) || hours < 1 / 6 || hours > 24 * 365) throw new UsageError('--token-hours: a number of hours, at least 0.17 (10 minutes, the API server minimum)');
  const wantsAws = flags['aws-profile'] !== undefined || flags.aws === true;
  if (flags.kubeconfig === undefined && !wantsAws) throw new UsageError('target bootstrap: give --kubeconfig FILE, --aws-profile NAME (or --aws), or both');
  if (flags.context !== undefined && flags.kubeconfig === undefined) throw new UsageError('--context goes with --kubeconfig');
  if (flags['endpoint-url'] !== undefined && !/^https?:\/\/[^\s]+$/.test(flags['endpoint-url'])) throw new UsageError('--endpoint-url: an http(s) URL');
  return {
    outDir: resolve(flags.out),
    name: flags.name,
    ...(flags.kubeconfig === undefined
      ? {}
      : {
          kubernetes: {
            kubeconfig: resolve(flags.kubeconfig),
            ...(flags.context === undefined ? {} : { context: flags.context }),
            protectedNamespaces: flags.protect === undefined || flags.protect.length === 0 ? ['seb-prod'] : flags.protect,
            executorNamespace: flags['executor-namespace'],
            systemNamespace: flags['system-namespace'],
            tokenSeconds: Math.round(hours * 3600),
          },
        }),
    ...(!wantsAws
      ? {}
      : {
          aws: {
            ...(flags['aws-profile'] === undefined ? {} : { profile: flags['aws-profile'] }),
            region: flags.region,
            ...(flags['endpoint-url'] === undefined ? {} : { endpoint: flags['endpoint-url'] }),
            table: flags['no-dynamodb'] !== true,
          },
        }),
  };
}
