// The AWS platform adapter: plan (pure), live state (a read session), mint
// (AssumeRole with the certified session policy), invoke (as the minted
// session, conditioned where the service can be), retire.
import type { STSClient } from '@aws-sdk/client-sts';
import type { Claims } from '../../core/certificate/claims.js';
import type { Contract } from '../../core/certificate/contract.js';
import { ConfigError } from '../../core/errors.js';
import type { InvokeResult, PlatformAdapter, ScopedIdentity } from '../../core/ports/platform.js';
import type { LiveState } from '../../core/predicates/drift.js';
import { ACCOUNT_ID, partitionOf, REGION, type AwsScope } from './arn.js';
import { clientsFor, keepAliveAgents, stsClient, type Connection, type ServiceClients } from './clients.js';
import { onFirstUse } from './on-first-use.js';
import { awsCredentialsFor } from './credentials.js';
import { matchesIntent } from './intent.js';
import type { AwsCredentialSource } from '../target-info.js';
import { invokePlan } from './invoke.js';
import { readLiveState } from './live-state.js';
import { isSessionCredentials, mintExecutor, type SessionCredentials } from './mint.js';
import { planAws, type AwsPlan } from './operations.js';
import { ReadSessions } from './read-sessions.js';

export interface AwsAdapterConfig {
  /** An endpoint URL (moto, LocalStack); absent for AWS itself. */
  readonly endpoint?: string;
  readonly region: string;
  readonly accountId: string;
  /** The broker's own credential (keys, a profile, or absent: the SDK's default chain): it may only assume the executor role. */
  readonly brokerCredentials?: AwsCredentialSource;
  readonly executorRoleArn: string;
  /** Deadline of each AWS call (default 10 s). */
  readonly requestTimeoutMs?: number;
  readonly clock?: () => number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export class AwsAdapter implements PlatformAdapter<AwsPlan> {
  readonly name = 'aws' as const;
  private readonly scope: AwsScope;
  private readonly connection: Connection;
  /** Made on first use, like every SDK client (clients.ts); `made` is there to destroy it. */
  private readonly sts: () => Promise<STSClient>;
  private made: STSClient | undefined;
  private readonly reads: ReadSessions;
  /** A read session's clients, kept as long as the session is (ReadSessions hands out the same credentials object). */
  private readonly readClients = new WeakMap<SessionCredentials, ServiceClients>();

  constructor(private readonly config: AwsAdapterConfig) {
    if (!REGION.test(config.region)) throw new ConfigError('aws.region', `${JSON.stringify(config.region)} is not a region name`);
    if (!ACCOUNT_ID.test(config.accountId)) throw new ConfigError('aws.accountId', 'must be 12 digits');
    this.scope = { partition: partitionOf(config.region), region: config.region, accountId: config.accountId };
    const role = `arn:${this.scope.partition}:iam::${config.accountId}:role/`;
    if (!config.executorRoleArn.startsWith(role) || !/^[\w+=,.@-]{1,64}$/.test(config.executorRoleArn.slice(role.length))) {
      throw new ConfigError('aws.executorRoleArn', `must be ${role}<name>, a role in the configured account`);
    }
    this.connection = {
      ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
      region: config.region,
      requestTimeoutMs: config.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      agents: keepAliveAgents(),
    };
    const brokerCredentials = awsCredentialsFor(config.brokerCredentials, { endpoint: config.endpoint ?? '', region: config.region });
    this.sts = onFirstUse(async () => (this.made = await stsClient(this.connection, brokerCredentials)));
    this.reads = new ReadSessions(this.sts, config.executorRoleArn, config.clock ?? Date.now);
  }

  plan(contract: Contract): AwsPlan {
    return planAws(contract, this.scope);
  }

  /** For reconciliation after a crash: whether the live state shows the mutation done (intent.ts). */
  matchesIntent(plan: AwsPlan, live: LiveState): boolean {
    return matchesIntent(plan, live);
  }

  async readLiveState(plan: AwsPlan): Promise<LiveState> {
    const credentials = await this.reads.credentialsFor(plan);
    let clients = this.readClients.get(credentials);
    if (clients === undefined) {
      clients = clientsFor(this.connection, credentials, 'read');
      this.readClients.set(credentials, clients);
    }
    return readLiveState(plan, clients, this.config.accountId);
  }

  async mint(plan: AwsPlan, claims: Claims): Promise<ScopedIdentity> {
    return mintExecutor(await this.sts(), this.config.executorRoleArn, plan, claims);
  }

  invoke(plan: AwsPlan, identity: ScopedIdentity, live: LiveState): Promise<InvokeResult> {
    if (!isSessionCredentials(identity.handle)) throw new TypeError('not an identity minted by the AWS adapter');
    return invokePlan(plan, clientsFor(this.connection, identity.handle, 'write'), live, this.config.accountId);
  }

  // STS cannot revoke one session, and moto cannot revoke any. On real AWS the
  // only lever is a deny on the role keyed by aws:TokenIssueTime (the console's
  // "revoke active sessions"), which ends every session of the role issued
  // before a moment, concurrent executions included: it would need a role per
  // execution to be precise. So a session lives out its 900 s, bounded by its
  // session policy to the one certified action on the one certified ARN.
  async retire(): Promise<void> {}

  /** Close the broker's connections (STS's, and every client's shared agents). */
  close(): void {
    this.made?.destroy();
    this.connection.agents.http.destroy();
    this.connection.agents.https.destroy();
  }
}
