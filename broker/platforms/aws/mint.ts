// Scoped identities from STS AssumeRole into the executor role. Every
// parameter that narrows the session is sent even where the endpoint ignores
// it (moto ignores Policy, SourceIdentity, Tags and expiry; see
// harness/targets/local/AWS-GUARANTEES.md): real AWS honours them all.
import type { STSClient } from '@aws-sdk/client-sts';
import type { Claims } from '../../core/certificate/claims.js';
import { IoError } from '../../core/errors.js';
import type { ScopedIdentity } from '../../core/ports/platform.js';
import { sdk, type AwsCredentials } from './clients.js';
import type { AwsPlan } from './operations.js';
import { awsName, sessionTags } from './session-names.js';
import { sessionPolicy, type PolicyDocument } from './session-policy.js';

/** The shortest session STS grants. */
export const SESSION_DURATION_S = 900;

export interface SessionCredentials extends AwsCredentials {
  readonly sessionToken: string;
}

export interface Session {
  readonly credentials: SessionCredentials;
  /** The assumed-role ARN, as it appears in CloudTrail. */
  readonly principal: string;
  /** Unix ms. */
  readonly expiresAt: number;
}

export interface AssumeInput {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly policy: PolicyDocument;
  readonly sourceIdentity?: string;
  readonly tags?: readonly { Key: string; Value: string }[];
}

export async function assumeRole(sts: STSClient, input: AssumeInput): Promise<Session> {
  const { AssumeRoleCommand } = await sdk.sts();
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: input.roleArn,
      RoleSessionName: input.sessionName,
      Policy: JSON.stringify(input.policy),
      DurationSeconds: SESSION_DURATION_S,
      ...(input.sourceIdentity === undefined ? {} : { SourceIdentity: input.sourceIdentity }),
      ...(input.tags === undefined ? {} : { Tags: [...input.tags] }),
    }),
  );
  const c = out.Credentials;
  const principal = out.AssumedRoleUser?.Arn;
  if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined || c.Expiration === undefined || principal === undefined) {
    throw new IoError('AssumeRole returned no complete credentials');
  }
  return {
    credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
    principal,
    expiresAt: c.Expiration.getTime(),
  };
}

/** The identity for one certified mutation: named after the jti, attributed to the agent, tagged with jti and policy epoch. */
export async function mintExecutor(sts: STSClient, roleArn: string, plan: AwsPlan, claims: Claims): Promise<ScopedIdentity> {
  const session = await assumeRole(sts, {
    roleArn,
    sessionName: awsName(claims.jti),
    policy: sessionPolicy(plan),
    sourceIdentity: awsName(claims.sub),
    tags: sessionTags(claims),
  });
  return { platform: 'aws', principal: session.principal, expiresAt: session.expiresAt, handle: session.credentials };
}

export function isSessionCredentials(handle: unknown): handle is SessionCredentials {
  if (typeof handle !== 'object' || handle === null) return false;
  const h = handle as Record<string, unknown>;
  return typeof h.accessKeyId === 'string' && typeof h.secretAccessKey === 'string' && typeof h.sessionToken === 'string';
}
