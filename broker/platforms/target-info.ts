// target.json: how to reach a target's platforms and as whom. Written by
// `seb target up`, read by `seb execute`, the harness and the tests. Paths in
// it are absolute.

export interface KubernetesTarget {
  readonly server: string;
  /** Kubeconfig files per identity: admin (break-glass, for setup and out-of-band changes), agent, broker. */
  readonly kubeconfigs: { readonly admin: string; readonly agent: string; readonly broker: string };
  /** Namespaces where only broker executors may mutate. */
  readonly protectedNamespaces: readonly string[];
  /** Where the broker keeps executor ServiceAccounts and the Secrets their tokens are bound to. */
  readonly executorNamespace: string;
  /** The audience executor tokens are minted for; the API server must accept it (--api-audiences). */
  readonly executorAudience: string;
}

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * Static keys (seb warns when the file holding them is readable by others),
 * a profile of the shared AWS files, or {} for the SDK's default chain.
 */
export type AwsCredentialSource = AwsCredentials | { readonly profile: string } | Readonly<Record<string, never>>;

export interface AwsTarget {
  readonly endpoint: string;
  readonly region: string;
  /** Absent, or an identity absent: the SDK's default chain. */
  readonly credentials?: { readonly agent?: AwsCredentialSource; readonly broker?: AwsCredentialSource; readonly admin?: AwsCredentialSource };
  /** The role the broker assumes, with a session policy, for each execution. */
  readonly executorRoleArn: string;
  readonly accountId: string;
  /** Where the harness's workloads put their objects and items (`seb target bootstrap` makes them); the local target's names otherwise. */
  readonly resources?: { readonly bucket: string; readonly table?: string };
}

export interface TargetInfo {
  readonly name: string;
  readonly kubernetes?: KubernetesTarget;
  readonly aws?: AwsTarget;
  /** Versions of what the target runs, for run metadata. */
  readonly versions?: Readonly<Record<string, string>>;
}
