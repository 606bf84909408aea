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
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { ResolvedCredentials } from './credentials.js';

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

export function stsClient(c: Connection, credentials: ResolvedCredentials): STSClient {
  // AssumeRole creates nothing that a second attempt would duplicate harmfully: retries are fine.
  return new STSClient(config(c, credentials, 'read'));
}

export function s3Client(c: Connection, credentials: AwsCredentials, purpose: Purpose): S3Client {
  // An endpoint URL has no per-bucket DNS names: address buckets by path.
  return new S3Client({ ...config(c, credentials, purpose), forcePathStyle: c.endpoint !== undefined });
}

export function ssmClient(c: Connection, credentials: AwsCredentials, purpose: Purpose): SSMClient {
  return new SSMClient(config(c, credentials, purpose));
}

export function ec2Client(c: Connection, credentials: AwsCredentials, purpose: Purpose): EC2Client {
  return new EC2Client(config(c, credentials, purpose));
}

export function dynamodbClient(c: Connection, credentials: AwsCredentials, purpose: Purpose): DynamoDBClient {
  return new DynamoDBClient(config(c, credentials, purpose));
}
