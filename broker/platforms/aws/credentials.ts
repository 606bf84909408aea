// Where the broker's (and the harness's) AWS credentials come from, as
// target.json names them: static keys, a profile of the shared config and
// credentials files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE; role
// assumption, SSO and credential_process included), or nothing, meaning the
// SDK's default chain (environment, files, web identity, container and
// instance metadata). Providers refresh what expires by themselves. Their
// packages (about 9 MiB of RSS) are imported when first asked for a
// credential: static keys, as the local target uses, never load them.
import type { fromIni } from '@aws-sdk/credential-provider-ini';
import type { STSClientConfig } from '@aws-sdk/client-sts';
import { onFirstUse } from './on-first-use.js';
import type { AwsCredentialSource, AwsCredentials } from '../target-info.js';

/** Keys, or a provider the SDK calls (and caches) for them: what every client's `credentials` takes. */
export type ResolvedCredentials = NonNullable<STSClientConfig['credentials']>;

export function isStaticKeys(source: AwsCredentialSource | undefined): source is AwsCredentials {
  return source !== undefined && 'accessKeyId' in source;
}

/**
 * `at`: the target's endpoint and region, so that a profile that assumes a
 * role (role_arn, source_profile) asks the same STS the target uses (moto,
 * LocalStack) rather than AWS's. An empty endpoint is AWS itself.
 */
export function awsCredentialsFor(source: AwsCredentialSource | undefined, at?: { readonly endpoint: string; readonly region: string }): ResolvedCredentials {
  // A copy: the SDK marks the objects it is given (a `$source` member), and the source may be written back to target.json.
  if (isStaticKeys(source)) return { accessKeyId: source.accessKeyId, secretAccessKey: source.secretAccessKey };
  const clientConfig = at === undefined ? {} : { clientConfig: { region: at.region, ...(at.endpoint === '' ? {} : { endpoint: at.endpoint }) } };
  const provider = onFirstUse(async () =>
    source !== undefined && 'profile' in source
      ? (await import('@aws-sdk/credential-provider-ini')).fromIni({ profile: source.profile, ...clientConfig })
      : (await import('@aws-sdk/credential-provider-node')).defaultProvider(clientConfig),
  );
  // The client passes what it knows of itself (its region, its logger), and the provider may use it.
  return async (options?: ProviderOptions) => (await provider())(options);
}

type ProviderOptions = Parameters<ReturnType<typeof fromIni>>[0];

/** How a source is described in errors and run metadata, never with its secret. */
export function describeCredentialSource(source: AwsCredentialSource | undefined): string {
  if (isStaticKeys(source)) return `static key ${source.accessKeyId}`;
  if (source !== undefined && 'profile' in source) return `profile ${source.profile}`;
  return 'the default chain (environment)';
}
