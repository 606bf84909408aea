// Credentials for the live-state read. The broker user holds nothing but
// AssumeRole, so reads too go through the executor role, with a session
// policy that allows the one read on the one target (session-policy.ts).
// A read session is reused for the same target until shortly before it
// expires: it cannot mutate anything, and one AssumeRole per drift check
// would double the STS traffic of every execution. Concurrent first reads of
// one target share a single AssumeRole; a failed one is not remembered.
import type { STSClient } from '@aws-sdk/client-sts';
import { createHash } from 'node:crypto';
import { assumeRole, type Session, type SessionCredentials } from './mint.js';
import type { AwsPlan } from './operations.js';
import { readPolicy } from './session-policy.js';

/** Renew this long before expiry, so that a read never starts with a credential about to lapse. */
const RENEW_BEFORE_MS = 5 * 60_000;

export class ReadSessions {
  private readonly sessions = new Map<string, Promise<Session>>();

  constructor(
    /** The broker's STS client, made on first use. */
    private readonly sts: () => Promise<STSClient>,
    private readonly roleArn: string,
    private readonly clock: () => number,
  ) {}

  async credentialsFor(plan: AwsPlan): Promise<SessionCredentials> {
    const policy = readPolicy(plan);
    const id = JSON.stringify(policy);
    const cached = this.sessions.get(id);
    if (cached !== undefined) {
      const session = await cached.catch(() => undefined);
      if (session !== undefined && session.expiresAt - RENEW_BEFORE_MS > this.clock()) return session.credentials;
      if (this.sessions.get(id) === cached) this.sessions.delete(id);
    }
    const name = `seb-read.${createHash('sha256').update(id).digest('hex').slice(0, 32)}`;
    const pending = this.sts().then((sts) => assumeRole(sts, { roleArn: this.roleArn, sessionName: name, policy }));
    this.sessions.set(id, pending);
    pending.catch(() => {
      if (this.sessions.get(id) === pending) this.sessions.delete(id);
    });
    return (await pending).credentials;
  }
}
