// SDK clients for one set of credentials. Mutations go out with a single
// attempt: a retry after a lost response could apply an unconditioned write
// twice, and the broker must report "unknown" rather than guess. Reads keep
// the SDK's retries. Every call has a deadline, so a platform that stops
// answering ends in an error, never a hang. Clients are per credential
// (per execution for writes) but share the connection's keep-alive agents:
// SigV4 signs each request, not the connection, so connections need not be
// per identity, and a new TCP (or TLS) connection per call is pure cost.
// A client built on them is never destroy()ed: that would end the shared
// agents' sockets, other executions' included; it holds nothing else.
//
// Each service's SDK package is imported on its first use, not at start: a
// broker holds in memory only the clients its contracts need (loaded, the
// EC2 package alone adds about 35 MiB of RSS, S3 11, SSM 5).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { ResolvedCredentials } from './credentials.js';
import { onFirstUse } from './on-first-use.js';

/** The SDK package of each service, with its client and command classes. */
export const sdk = {
  sts: onFirstUse(() => import('@aws-sdk/client-sts')),
  s3: onFirstUse(() => import('@aws-sdk/client-s3')),
  ssm: onFirstUse(() => import('@aws-sdk/client-ssm')),
  ec2: onFirstUse(() => import('@aws-sdk/client-ec2')),
  dynamodb: onFirstUse(() => import('@aws-sdk/client-dynamodb')),
};

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface Connection {
  /** An endpoint URL (moto, LocalStack); absent for AWS itself. */
  readonly endpoint?: string;
  readonly region: string;
  readonly requestTimeoutMs: number;
  readonly agents: { readonly http: HttpAgent; readonly https: HttpsAgent };
}

export function keepAliveAgents(): Connection['agents'] {
  return { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
}

export type Purpose = 'read' | 'write';

function config(c: Connection, credentials: AwsCredentials | ResolvedCredentials, purpose: Purpose) {
  return {
    region: c.region,
    credentials,
    ...(c.endpoint === undefined ? {} : { endpoint: c.endpoint }),
    maxAttempts: purpose === 'write' ? 1 : 3,
    requestHandler: { connectionTimeout: c.requestTimeoutMs, requestTimeout: c.requestTimeoutMs, throwOnRequestTimeout: true, httpAgent: c.agents.http, httpsAgent: c.agents.https },
  };
}

export async function stsClient(c: Connection, credentials: ResolvedCredentials): Promise<STSClient> {
  // AssumeRole creates nothing that a second attempt would duplicate harmfully: retries are fine.
  return new (await sdk.sts()).STSClient(config(c, credentials, 'read'));
}

export async function s3Client(c: Connection, credentials: AwsCredentials, purpose: Purpose): Promise<S3Client> {
  // An endpoint URL has no per-bucket DNS names: address buckets by path.
  return new (await sdk.s3()).S3Client({ ...config(c, credentials, purpose), forcePathStyle: c.endpoint !== undefined });
}

export async function ssmClient(c: Connection, credentials: AwsCredentials, purpose: Purpose): Promise<SSMClient> {
  return new (await sdk.ssm()).SSMClient(config(c, credentials, purpose));
}

export async function ec2Client(c: Connection, credentials: AwsCredentials, purpose: Purpose): Promise<EC2Client> {
  return new (await sdk.ec2()).EC2Client(config(c, credentials, purpose));
}

export async function dynamodbClient(c: Connection, credentials: AwsCredentials, purpose: Purpose): Promise<DynamoDBClient> {
  return new (await sdk.dynamodb()).DynamoDBClient(config(c, credentials, purpose));
}

/** Each service's client for one credential and purpose, made on first use. */
export interface ServiceClients {
  s3(): Promise<S3Client>;
  ssm(): Promise<SSMClient>;
  ec2(): Promise<EC2Client>;
  dynamodb(): Promise<DynamoDBClient>;
}

export function clientsFor(c: Connection, credentials: AwsCredentials, purpose: Purpose): ServiceClients {
  return {
    s3: onFirstUse(() => s3Client(c, credentials, purpose)),
    ssm: onFirstUse(() => ssmClient(c, credentials, purpose)),
    ec2: onFirstUse(() => ec2Client(c, credentials, purpose)),
    dynamodb: onFirstUse(() => dynamodbClient(c, credentials, purpose)),
  };
}
